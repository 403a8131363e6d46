//! ggml block quantization of f32 rows (q8_0, q5_1), bit-for-bit the layout of ggml's
//! reference quantizers (`quantize_row_q8_0_ref`, `quantize_row_q5_1_ref`). Pure functions:
//! rows in, bytes out; a row whose length is not a multiple of the block size is refused.

use half::f16;

/// Weight storage type of a whisper.cpp file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightType {
    F16,
    Bf16,
    Q8_0,
    Q5_1,
}

pub const BLOCK: usize = 32;

impl WeightType {
    pub fn parse(s: &str) -> Option<WeightType> {
        match s {
            "f16" => Some(WeightType::F16),
            "bf16" => Some(WeightType::Bf16),
            "q8_0" => Some(WeightType::Q8_0),
            "q5_1" => Some(WeightType::Q5_1),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            WeightType::F16 => "f16",
            WeightType::Bf16 => "bf16",
            WeightType::Q8_0 => "q8_0",
            WeightType::Q5_1 => "q5_1",
        }
    }
    /// ggml tensor type id written in each tensor header.
    pub fn ggml_type(self) -> i32 {
        match self {
            WeightType::F16 => 1,
            WeightType::Bf16 => 30,
            WeightType::Q8_0 => 8,
            WeightType::Q5_1 => 7,
        }
    }
    /// The file's hparams ftype: ggml's "mostly" ftype + 1000 × quantization version (2).
    pub fn file_ftype(self) -> i32 {
        match self {
            WeightType::F16 => 1,
            WeightType::Bf16 => 24,
            WeightType::Q8_0 => 2000 + 7,
            WeightType::Q5_1 => 2000 + 9,
        }
    }
    /// Inverse of `file_ftype`, for reading a model's header.
    pub fn from_file_ftype(ftype: i32) -> Option<&'static str> {
        Some(match ftype % 1000 {
            0 => "f32",
            1 => "f16",
            2 => "q4_0",
            3 => "q4_1",
            7 => "q8_0",
            8 => "q5_0",
            9 => "q5_1",
            24 => "bf16",
            _ => return None,
        })
    }
}

/// Quantize `x` (length a multiple of 32) to q8_0 blocks appended to `out`.
pub fn q8_0(x: &[f32], out: &mut Vec<u8>) {
    for block in x.chunks_exact(BLOCK) {
        let amax = block.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let d = amax / 127.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        out.extend_from_slice(&f16::from_f32(d).to_le_bytes());
        out.extend(block.iter().map(|v| (v * id).round() as i8 as u8));
    }
}

/// Quantize `x` (length a multiple of 32) to q5_1 blocks appended to `out`.
pub fn q5_1(x: &[f32], out: &mut Vec<u8>) {
    for block in x.chunks_exact(BLOCK) {
        let min = block.iter().fold(f32::MAX, |m, &v| m.min(v));
        let max = block.iter().fold(f32::MIN, |m, &v| m.max(v));
        let d = (max - min) / 31.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        out.extend_from_slice(&f16::from_f32(d).to_le_bytes());
        out.extend_from_slice(&f16::from_f32(min).to_le_bytes());
        let mut qh: u32 = 0;
        let mut qs = [0u8; BLOCK / 2];
        for j in 0..BLOCK / 2 {
            let x0 = ((block[j] - min) * id + 0.5) as u8;
            let x1 = ((block[BLOCK / 2 + j] - min) * id + 0.5) as u8;
            qs[j] = (x0 & 0x0f) | ((x1 & 0x0f) << 4);
            qh |= (((x0 & 0x10) >> 4) as u32) << j;
            qh |= (((x1 & 0x10) >> 4) as u32) << (j + BLOCK / 2);
        }
        out.extend_from_slice(&qh.to_le_bytes());
        out.extend_from_slice(&qs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dequant_q8_0(b: &[u8]) -> Vec<f32> {
        b.chunks_exact(34)
            .flat_map(|c| {
                let d = f16::from_le_bytes([c[0], c[1]]).to_f32();
                c[2..].iter().map(move |&q| q as i8 as f32 * d)
            })
            .collect()
    }

    fn dequant_q5_1(b: &[u8]) -> Vec<f32> {
        b.chunks_exact(24)
            .flat_map(|c| {
                let d = f16::from_le_bytes([c[0], c[1]]).to_f32();
                let m = f16::from_le_bytes([c[2], c[3]]).to_f32();
                let qh = u32::from_le_bytes([c[4], c[5], c[6], c[7]]);
                let qs = &c[8..24];
                let mut v = [0f32; 32];
                for j in 0..16 {
                    let h0 = ((qh >> j) & 1) << 4;
                    let h1 = ((qh >> (j + 16)) & 1) << 4;
                    v[j] = ((qs[j] & 0x0f) as u32 | h0) as f32 * d + m;
                    v[j + 16] = ((qs[j] >> 4) as u32 | h1) as f32 * d + m;
                }
                v
            })
            .collect()
    }

    fn ramp() -> Vec<f32> {
        (0..64).map(|i| ((i as f32) * 0.37).sin() * 0.2).collect()
    }

    #[test]
    fn q8_0_round_trips_within_half_a_step() {
        let x = ramp();
        let mut b = Vec::new();
        q8_0(&x, &mut b);
        assert_eq!(b.len(), 2 * 34);
        let y = dequant_q8_0(&b);
        for (a, b) in x.iter().zip(&y) {
            assert!((a - b).abs() <= 0.2 / 127.0, "{a} vs {b}");
        }
    }

    #[test]
    fn q5_1_round_trips_within_half_a_step() {
        let x = ramp();
        let mut b = Vec::new();
        q5_1(&x, &mut b);
        assert_eq!(b.len(), 2 * 24);
        let y = dequant_q5_1(&b);
        for (a, b) in x.iter().zip(&y) {
            assert!((a - b).abs() <= 0.4 / 31.0 * 0.51 + 1e-3, "{a} vs {b}");
        }
    }

    #[test]
    fn all_zero_block_is_zero() {
        let mut b = Vec::new();
        q8_0(&[0.0; 32], &mut b);
        assert!(dequant_q8_0(&b).iter().all(|&v| v == 0.0));
    }
}
