//! Rule checker (placeholder until written).
