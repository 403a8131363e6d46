use medscribe::asr::*;
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let a = medscribe::audio::load(std::path::Path::new(&p)).unwrap();
    let m = Transcriber::load(std::path::Path::new("models/tiny.en.bin")).unwrap();
    let o = Options { chunk_seconds: 0.0, ..Options::default() };
    let chunk = &a.samples[(18.34 * 16000.0) as usize..(35.74 * 16000.0) as usize];
    for prompt in [None, Some("He has a background of type 2 diabetes and hypertension. He is an ex-smoker. New paragraph. Medications."), Some("Metformin, ramipril, atorvastatin, angina.")] {
        let s = m.transcribe_chunk(chunk, 18.34, prompt, &o).unwrap();
        eprintln!("{:?}", prompt);
        for x in s { eprintln!("  {:.2}-{:.2} {} | {:?}", x.start, x.end, x.text, x.words.iter().take(3).map(|w| (w.text.clone(), w.start, w.confidence)).collect::<Vec<_>>()); }
    }
}
