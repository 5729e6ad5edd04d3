//! TEMPORARY stub until the real module lands.
use crate::value::Value;
#[derive(Debug, Clone, PartialEq)]
pub struct FormatError {
    pub kind: &'static str,
    pub message: String,
}
pub fn percent_format(fmt: &str, args: &Value) -> Result<String, FormatError> {
    Ok(format!("{fmt}{}", args.to_str()))
}
pub fn brace_format(
    fmt: &str,
    _pos: &[Value],
    _kw: &[(std::sync::Arc<str>, Value)],
) -> Result<String, FormatError> {
    Ok(fmt.to_string())
}
