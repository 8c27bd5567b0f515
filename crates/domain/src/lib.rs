//! Closer's pure business rules. Nothing here does I/O or needs async, so every rule can be
//! unit- and property-tested in isolation and reused by the agent, the store and the server.

/// An enum stored and sent as snake_case text, with `ALL`, `as_str`, `Display` and `FromStr`,
/// so each enum's text lives in exactly one place.
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    crate::ValidationError(format!("`{s}` is not a known {}", stringify!($name)))
                })
            }
        }
    };
}

pub mod account;
pub mod cta;
pub mod engagement;
pub mod messaging;
pub mod role;
pub mod sales;
pub mod slots;

pub use account::{EmailAddress, OrgName, Password, PersonName, ValidationError};
pub use role::Role;
