use std::time::Instant;
use whisper_rs::*;
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let tts: bool = std::env::args().nth(2).map(|s| s == "1").unwrap_or(false);
    let a = medscribe::audio::load(std::path::Path::new(&p)).unwrap();
    let ctx = WhisperContext::new_with_params("models/tiny.en.bin", WhisperContextParameters::default()).unwrap();
    let mut st = ctx.create_state().unwrap();
    let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    params.set_n_threads(2);
    params.set_token_timestamps(tts);
    let t = Instant::now();
    st.full(params, &a.samples).unwrap();
    eprintln!("full {:?} segs {}", t.elapsed(), st.full_n_segments());
    ctx.print_timings();
}
