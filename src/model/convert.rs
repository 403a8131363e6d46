//! CTranslate2 Whisper model → whisper.cpp ggml file (the legacy format whisper.cpp
//! loads), following the layout in shared/notes/whisper-models.md: hparams, mel filters,
//! byte-level vocabulary, then every tensor under whisper.cpp's names. Writes to any
//! `Write`; it never touches the models directory itself (the caller writes a temp file
//! and renames it once the result has been proven to load).

use std::io::Write;
use std::path::Path;

use super::ModelError;
use super::ct2::Ct2Model;
use super::mel;
use super::quantize::{self, WeightType};

const GGML_MAGIC: i32 = 0x6767_6d6c;

/// Model dimensions, as whisper.cpp's hparams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HParams {
    pub n_vocab: usize,
    pub n_audio_ctx: usize,
    pub n_audio_state: usize,
    pub n_audio_head: usize,
    pub n_audio_layer: usize,
    pub n_text_ctx: usize,
    pub n_text_state: usize,
    pub n_text_head: usize,
    pub n_text_layer: usize,
    pub n_mels: usize,
}

impl HParams {
    pub fn from_ct2(m: &Ct2Model) -> Result<HParams, ModelError> {
        let emb = &m.get("decoder/embeddings/weight")?.dims;
        let enc_pos = &m.get("encoder/position_encodings/encodings")?.dims;
        let dec_pos = &m.get("decoder/position_encodings/encodings")?.dims;
        let conv1 = &m.get("encoder/conv1/weight")?.dims;
        let dim = |d: &Vec<usize>, i: usize, what: &str| {
            d.get(i)
                .copied()
                .ok_or_else(|| ModelError::MissingTensor(format!("{what} dimension {i}")))
        };
        Ok(HParams {
            n_vocab: dim(emb, 0, "embedding")?,
            n_audio_ctx: dim(enc_pos, 0, "encoder positions")?,
            n_audio_state: dim(enc_pos, 1, "encoder positions")?,
            n_audio_head: m.scalar("encoder/num_heads")?,
            n_audio_layer: m.layer_count("encoder"),
            n_text_ctx: dim(dec_pos, 0, "decoder positions")?,
            n_text_state: dim(dec_pos, 1, "decoder positions")?,
            n_text_head: m.scalar("decoder/num_heads")?,
            n_text_layer: m.layer_count("decoder"),
            n_mels: dim(conv1, 1, "conv1")?,
        })
    }

    /// "tiny", "base", ... by layer count and width, for display.
    pub fn size_name(&self) -> &'static str {
        match (self.n_audio_layer, self.n_audio_state) {
            (4, 384) => "tiny",
            (6, 512) => "base",
            (12, 768) => "small",
            (24, 1024) => "medium",
            (32, 1280) => "large",
            _ => "custom",
        }
    }
}

/// How a tensor is stored in the ggml file.
#[derive(Clone, Copy)]
enum Kind {
    /// 1-D: f32.
    Vector,
    /// Conv bias, written as [n, 1], f32.
    ConvBias,
    /// Positional embeddings: f32 matrices.
    Positions,
    /// Conv kernels: f16 (never quantized).
    Conv,
    /// Weight matrices: f16 or quantized.
    Matrix,
}

struct Writer<'a, W: Write> {
    out: &'a mut W,
    wtype: WeightType,
    count: usize,
}

impl<W: Write> Writer<'_, W> {
    fn tensor(
        &mut self,
        name: &str,
        dims: &[usize],
        values: &[f32],
        kind: Kind,
    ) -> Result<(), ModelError> {
        let expected: usize = dims.iter().product();
        if expected != values.len() {
            return Err(ModelError::MissingTensor(format!(
                "{name}: shape {dims:?} does not match data"
            )));
        }
        let dims: Vec<usize> = match kind {
            Kind::ConvBias => vec![dims[0], 1],
            _ => dims.to_vec(),
        };
        let row = *dims.last().unwrap_or(&1);
        let quantize = matches!(kind, Kind::Matrix)
            && self.wtype != WeightType::F16
            && row.is_multiple_of(quantize::BLOCK);
        let (ttype, data): (i32, Vec<u8>) = match kind {
            Kind::Vector | Kind::ConvBias | Kind::Positions => {
                (0, values.iter().flat_map(|v| v.to_le_bytes()).collect())
            }
            Kind::Matrix if quantize => {
                let mut b = Vec::with_capacity(values.len() + values.len() / 8);
                match self.wtype {
                    WeightType::Q8_0 => quantize::q8_0(values, &mut b),
                    WeightType::Q5_1 => quantize::q5_1(values, &mut b),
                    WeightType::Bf16 => b.extend(
                        values
                            .iter()
                            .flat_map(|v| half::bf16::from_f32(*v).to_le_bytes()),
                    ),
                    WeightType::F16 => {}
                }
                (self.wtype.ggml_type(), b)
            }
            Kind::Conv | Kind::Matrix => (
                1,
                values
                    .iter()
                    .flat_map(|v| half::f16::from_f32(*v).to_le_bytes())
                    .collect(),
            ),
        };
        let io = |e: std::io::Error| ModelError::Io {
            path: "ggml output".into(),
            source: e,
        };
        let mut head = Vec::with_capacity(64);
        for v in [dims.len() as i32, name.len() as i32, ttype] {
            head.extend_from_slice(&v.to_le_bytes());
        }
        for d in dims.iter().rev() {
            head.extend_from_slice(&(*d as i32).to_le_bytes());
        }
        head.extend_from_slice(name.as_bytes());
        self.out.write_all(&head).map_err(io)?;
        self.out.write_all(&data).map_err(io)?;
        self.count += 1;
        Ok(())
    }

    /// Copy a CT2 variable whole.
    fn copy(&mut self, m: &Ct2Model, from: &str, to: &str, kind: Kind) -> Result<(), ModelError> {
        let dims = m.get(from)?.dims.clone();
        let values = m.f32_values(from)?;
        self.tensor(to, &dims, &values, kind)
    }

    /// Copy rows `part*n .. (part+1)*n` of a fused CT2 variable (q,k,v or k,v).
    fn rows(
        &mut self,
        m: &Ct2Model,
        from: &str,
        to: &str,
        part: usize,
        parts: usize,
        kind: Kind,
    ) -> Result<(), ModelError> {
        let dims = m.get(from)?.dims.clone();
        let values = m.f32_values(from)?;
        let n = dims[0] / parts;
        let width: usize = dims[1..].iter().product();
        let slice = &values[part * n * width..(part + 1) * n * width];
        let mut d = dims.clone();
        d[0] = n;
        self.tensor(to, &d, slice, kind)
    }

    fn linear(&mut self, m: &Ct2Model, from: &str, to: &str) -> Result<(), ModelError> {
        self.copy(
            m,
            &format!("{from}/weight"),
            &format!("{to}.weight"),
            Kind::Matrix,
        )?;
        self.copy(
            m,
            &format!("{from}/bias"),
            &format!("{to}.bias"),
            Kind::Vector,
        )
    }

    fn norm(&mut self, m: &Ct2Model, from: &str, to: &str) -> Result<(), ModelError> {
        self.copy(
            m,
            &format!("{from}/gamma"),
            &format!("{to}.weight"),
            Kind::Vector,
        )?;
        self.copy(
            m,
            &format!("{from}/beta"),
            &format!("{to}.bias"),
            Kind::Vector,
        )
    }

    /// Fused q,k,v (self-attention) → query, key (weight only), value.
    fn self_attention(&mut self, m: &Ct2Model, from: &str, to: &str) -> Result<(), ModelError> {
        let (w, b) = (
            format!("{from}/linear_0/weight"),
            format!("{from}/linear_0/bias"),
        );
        self.rows(
            m,
            &w,
            &format!("{to}.attn.query.weight"),
            0,
            3,
            Kind::Matrix,
        )?;
        self.rows(m, &b, &format!("{to}.attn.query.bias"), 0, 3, Kind::Vector)?;
        self.rows(m, &w, &format!("{to}.attn.key.weight"), 1, 3, Kind::Matrix)?;
        self.rows(
            m,
            &w,
            &format!("{to}.attn.value.weight"),
            2,
            3,
            Kind::Matrix,
        )?;
        self.rows(m, &b, &format!("{to}.attn.value.bias"), 2, 3, Kind::Vector)?;
        self.linear(m, &format!("{from}/linear_1"), &format!("{to}.attn.out"))?;
        self.norm(m, &format!("{from}/layer_norm"), &format!("{to}.attn_ln"))
    }

    fn ffn(&mut self, m: &Ct2Model, from: &str, to: &str) -> Result<(), ModelError> {
        self.linear(m, &format!("{from}/linear_0"), &format!("{to}.mlp.0"))?;
        self.linear(m, &format!("{from}/linear_1"), &format!("{to}.mlp.2"))?;
        self.norm(m, &format!("{from}/layer_norm"), &format!("{to}.mlp_ln"))
    }
}

/// Read the token list of a CT2 model directory (`vocabulary.txt` or `vocabulary.json`).
pub fn read_vocabulary(dir: &Path) -> Result<Vec<String>, ModelError> {
    let txt = dir.join("vocabulary.txt");
    let json = dir.join("vocabulary.json");
    if txt.is_file() {
        let s = std::fs::read_to_string(&txt).map_err(|e| ModelError::io(&txt, e))?;
        Ok(s.lines().map(str::to_string).collect())
    } else if json.is_file() {
        let s = std::fs::read_to_string(&json).map_err(|e| ModelError::io(&json, e))?;
        serde_json::from_str(&s).map_err(|e| ModelError::BadCt2 {
            path: json.display().to_string(),
            why: format!("not a JSON list of tokens: {e}"),
        })
    } else {
        Err(ModelError::BadCt2 {
            path: dir.display().to_string(),
            why: "no vocabulary.txt or vocabulary.json".into(),
        })
    }
}

/// GPT-2's byte ↔ unicode table, inverted: the char CT2 stores → the byte it stands for.
fn byte_decoder() -> std::collections::HashMap<char, u8> {
    let mut bs: Vec<u32> = (b'!' as u32..=b'~' as u32)
        .chain(0xA1..=0xAC)
        .chain(0xAE..=0xFF)
        .collect();
    let mut cs = bs.clone();
    let mut n = 0;
    for b in 0..256u32 {
        if !bs.contains(&b) {
            bs.push(b);
            cs.push(256 + n);
            n += 1;
        }
    }
    bs.iter()
        .zip(&cs)
        .filter_map(|(&b, &c)| char::from_u32(c).map(|c| (c, b as u8)))
        .collect()
}

/// Write the whole ggml file. Returns the number of tensors written.
pub fn write_ggml<W: Write>(
    m: &Ct2Model,
    vocab: &[String],
    wtype: WeightType,
    out: &mut W,
) -> Result<usize, ModelError> {
    let hp = HParams::from_ct2(m)?;
    let io = |e: std::io::Error| ModelError::Io {
        path: "ggml output".into(),
        source: e,
    };
    let eot = vocab
        .iter()
        .position(|t| t == "<|endoftext|>")
        .ok_or_else(|| ModelError::BadCt2 {
            path: "vocabulary".into(),
            why: "no <|endoftext|> token".into(),
        })?;
    let mut head = Vec::new();
    let ftype = wtype.file_ftype();
    for v in [
        GGML_MAGIC,
        hp.n_vocab as i32,
        hp.n_audio_ctx as i32,
        hp.n_audio_state as i32,
        hp.n_audio_head as i32,
        hp.n_audio_layer as i32,
        hp.n_text_ctx as i32,
        hp.n_text_state as i32,
        hp.n_text_head as i32,
        hp.n_text_layer as i32,
        hp.n_mels as i32,
        ftype,
    ] {
        head.extend_from_slice(&v.to_le_bytes());
    }
    let filters = mel::filters(hp.n_mels);
    head.extend_from_slice(&(hp.n_mels as i32).to_le_bytes());
    head.extend_from_slice(&((mel::N_FFT / 2 + 1) as i32).to_le_bytes());
    for f in filters {
        head.extend_from_slice(&f.to_le_bytes());
    }
    let decoder = byte_decoder();
    head.extend_from_slice(&((eot + 1) as i32).to_le_bytes());
    for token in &vocab[..=eot] {
        let bytes: Vec<u8> = token
            .chars()
            .flat_map(|c| match decoder.get(&c) {
                Some(&b) => vec![b],
                None => c.to_string().into_bytes(),
            })
            .collect();
        head.extend_from_slice(&(bytes.len() as i32).to_le_bytes());
        head.extend_from_slice(&bytes);
    }
    out.write_all(&head).map_err(io)?;

    let mut w = Writer {
        out,
        wtype,
        count: 0,
    };
    w.copy(
        m,
        "encoder/conv1/weight",
        "encoder.conv1.weight",
        Kind::Conv,
    )?;
    w.copy(
        m,
        "encoder/conv1/bias",
        "encoder.conv1.bias",
        Kind::ConvBias,
    )?;
    w.copy(
        m,
        "encoder/conv2/weight",
        "encoder.conv2.weight",
        Kind::Conv,
    )?;
    w.copy(
        m,
        "encoder/conv2/bias",
        "encoder.conv2.bias",
        Kind::ConvBias,
    )?;
    w.copy(
        m,
        "encoder/position_encodings/encodings",
        "encoder.positional_embedding",
        Kind::Positions,
    )?;
    for i in 0..hp.n_audio_layer {
        let (from, to) = (format!("encoder/layer_{i}"), format!("encoder.blocks.{i}"));
        w.self_attention(m, &format!("{from}/self_attention"), &to)?;
        w.ffn(m, &format!("{from}/ffn"), &to)?;
    }
    w.norm(m, "encoder/layer_norm", "encoder.ln_post")?;
    w.copy(
        m,
        "decoder/embeddings/weight",
        "decoder.token_embedding.weight",
        Kind::Matrix,
    )?;
    w.copy(
        m,
        "decoder/position_encodings/encodings",
        "decoder.positional_embedding",
        Kind::Positions,
    )?;
    for i in 0..hp.n_text_layer {
        let (from, to) = (format!("decoder/layer_{i}"), format!("decoder.blocks.{i}"));
        w.self_attention(m, &format!("{from}/self_attention"), &to)?;
        let att = format!("{from}/attention");
        w.linear(
            m,
            &format!("{att}/linear_0"),
            &format!("{to}.cross_attn.query"),
        )?;
        let (kv_w, kv_b) = (
            format!("{att}/linear_1/weight"),
            format!("{att}/linear_1/bias"),
        );
        w.rows(
            m,
            &kv_w,
            &format!("{to}.cross_attn.key.weight"),
            0,
            2,
            Kind::Matrix,
        )?;
        w.rows(
            m,
            &kv_w,
            &format!("{to}.cross_attn.value.weight"),
            1,
            2,
            Kind::Matrix,
        )?;
        w.rows(
            m,
            &kv_b,
            &format!("{to}.cross_attn.value.bias"),
            1,
            2,
            Kind::Vector,
        )?;
        w.linear(
            m,
            &format!("{att}/linear_2"),
            &format!("{to}.cross_attn.out"),
        )?;
        w.norm(
            m,
            &format!("{att}/layer_norm"),
            &format!("{to}.cross_attn_ln"),
        )?;
        w.ffn(m, &format!("{from}/ffn"), &to)?;
    }
    w.norm(m, "decoder/layer_norm", "decoder.ln")?;
    Ok(w.count)
}

/// Read the hparams header of a ggml file, to check it and describe it.
pub fn read_header(bytes: &[u8]) -> Option<(HParams, i32)> {
    let v: Vec<i32> = bytes
        .get(..48)?
        .chunks_exact(4)
        .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if v[0] != GGML_MAGIC || v[1..].iter().any(|&x| x < 0) {
        return None;
    }
    let u = |i: usize| v[i] as usize;
    Some((
        HParams {
            n_vocab: u(1),
            n_audio_ctx: u(2),
            n_audio_state: u(3),
            n_audio_head: u(4),
            n_audio_layer: u(5),
            n_text_ctx: u(6),
            n_text_state: u(7),
            n_text_head: u(8),
            n_text_layer: u(9),
            n_mels: u(10),
        },
        v[11],
    ))
}
