//! Unit tests for the recorder's pure parts: sample conversion, streaming resampling, level
//! metering, keys, and WAV header repair.
