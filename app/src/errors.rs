//! Turning a refused transaction into a readable error: the Anchor error name and message
//! from the program log when there is one, otherwise the runtime's error.
use solana_instruction::error::InstructionError;
use solana_transaction_error::TransactionError;
use std::fmt;

/// A transaction the cluster refused.
#[derive(Debug, Clone)]
pub struct TxFailure {
    pub error: TransactionError,
    pub logs: Vec<String>,
    /// Anchor error name and message when the failing program logged one.
    pub anchor: Option<AnchorErrorInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorErrorInfo {
    pub name: String,
    pub number: u32,
    pub message: String,
}

impl TxFailure {
    pub fn new(error: TransactionError, logs: Vec<String>) -> Self {
        let from_logs = logs.iter().rev().find_map(|l| parse_anchor_log(l));
        let anchor = from_logs.or_else(|| match &error {
            TransactionError::InstructionError(_, InstructionError::Custom(code)) => {
                name_of_code(*code)
            }
            _ => None,
        });
        TxFailure {
            error,
            logs,
            anchor,
        }
    }

    /// The custom error code, if the failure was `InstructionError(_, Custom(code))`.
    pub fn custom_code(&self) -> Option<u32> {
        match &self.error {
            TransactionError::InstructionError(_, InstructionError::Custom(c)) => Some(*c),
            _ => None,
        }
    }

    /// Index of the failing instruction.
    pub fn instruction_index(&self) -> Option<u8> {
        match &self.error {
            TransactionError::InstructionError(i, _) => Some(*i),
            _ => None,
        }
    }

    /// The Anchor error name, if any (for example `WrongMakerKey` or `ConstraintSeeds`).
    pub fn error_name(&self) -> Option<&str> {
        self.anchor.as_ref().map(|a| a.name.as_str())
    }
}

impl fmt::Display for TxFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.anchor {
            Some(a) => write!(f, "{} ({}): {}", a.name, a.number, a.message),
            None => write!(f, "{}", self.error),
        }
    }
}

impl std::error::Error for TxFailure {}

/// Names a custom error code of node_registry or of the Anchor framework. Codes of other
/// programs (for example the token program's) stay unnamed.
pub fn name_of_code(code: u32) -> Option<AnchorErrorInfo> {
    use node_registry::RegistryError;
    if let Some(e) = RegistryError::ALL.iter().find(|e| u32::from(**e) == code) {
        return Some(AnchorErrorInfo {
            name: e.name(),
            number: code,
            message: e.to_string(),
        });
    }
    crate::anchor_codes::ANCHOR_ERRORS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(c, n)| AnchorErrorInfo {
            name: n.to_string(),
            number: *c,
            message: format!("Anchor constraint or account error {n}"),
        })
}

/// Parses `... AnchorError ... Error Code: NAME. Error Number: N. Error Message: MSG.`
fn parse_anchor_log(line: &str) -> Option<AnchorErrorInfo> {
    if !line.contains("AnchorError") {
        return None;
    }
    let name = between(line, "Error Code: ", ". Error Number")?;
    let number = between(line, "Error Number: ", ". Error Message")?
        .parse()
        .ok()?;
    let rest = line.split("Error Message: ").nth(1)?;
    let message = rest.strip_suffix('.').unwrap_or(rest);
    Some(AnchorErrorInfo {
        name: name.to_string(),
        number,
        message: message.to_string(),
    })
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let to = s[from..].find(end)? + from;
    Some(&s[from..to])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_anchor_logs() {
        let l = "Program log: AnchorError thrown in programs/node_registry/src/x.rs:10. Error Code: WrongMakerKey. Error Number: 6014. Error Message: maker attestation is signed by another key.";
        let a = parse_anchor_log(l).unwrap();
        assert_eq!(a.name, "WrongMakerKey");
        assert_eq!(a.number, 6014);
        assert_eq!(a.message, "maker attestation is signed by another key");
        let c = "Program log: AnchorError caused by account: node. Error Code: ConstraintSeeds. Error Number: 2006. Error Message: A seeds constraint was violated.";
        assert_eq!(parse_anchor_log(c).unwrap().name, "ConstraintSeeds");
        assert!(parse_anchor_log("Program log: hello").is_none());
        assert!(parse_anchor_log("AnchorError Error Code: X").is_none());
    }

    #[test]
    fn names_codes() {
        use anchor_lang::error::ErrorCode;
        use node_registry::RegistryError;
        for e in RegistryError::ALL {
            let info = name_of_code(u32::from(*e)).unwrap();
            assert_eq!(info.name, e.name());
        }
        assert_eq!(
            RegistryError::ALL.len(),
            RegistryError::NotTransferParty as usize + 1
        );
        for e in [
            ErrorCode::ConstraintSeeds,
            ErrorCode::ConstraintHasOne,
            ErrorCode::ConstraintAddress,
            ErrorCode::ConstraintTokenMint,
            ErrorCode::ConstraintTokenOwner,
            ErrorCode::AccountNotInitialized,
            ErrorCode::AccountDiscriminatorMismatch,
            ErrorCode::AccountOwnedByWrongProgram,
            ErrorCode::InstructionDidNotDeserialize,
            ErrorCode::Deprecated,
        ] {
            assert_eq!(name_of_code(u32::from(e)).unwrap().name, e.name());
        }
        let f = TxFailure::new(
            TransactionError::InstructionError(
                2,
                InstructionError::Custom(u32::from(RegistryError::WrongMakerKey)),
            ),
            vec![],
        );
        assert_eq!(f.error_name(), Some("WrongMakerKey"));
        assert!(name_of_code(1).is_none());
    }
}
