//! Closer's pure business rules. Nothing here does I/O or needs async, so every rule can be
//! unit- and property-tested in isolation and reused by the agent, the store and the server.

/// A product enum: defined once here and carried typed to the column (sea-orm value type,
/// feature `sea-orm`), the API view and the OpenAPI document (feature `openapi`), and from
/// there to the generated TypeScript. Output uses the one canonical spelling (`as_str`);
/// input — API bodies, the agent documents, model output, stored rows — also accepts the
/// seeds' UPPER_SNAKE spelling (`BOOK_CALL`) and any other case of it. An unknown value is an
/// error, never a default.
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        #[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
        pub enum $name { $($(#[$vm])* #[serde(rename = $text)] $variant),+ }

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
                crate::vocabulary::parse_spelling(Self::ALL, Self::as_str, s).ok_or_else(|| {
                    crate::vocabulary::unknown(stringify!($name), s, Self::ALL.iter().map(|v| v.as_str()))
                })
            }
        }

        // Written out rather than derived: the derive does not see a variant's text when it
        // comes through this macro, and would publish the Rust names instead.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .description(Some(crate::vocabulary::SCHEMA_NOTE))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

pub mod account;
pub mod activity;
pub mod agent;
pub mod agent_tests;
pub mod analytics;
pub mod assignment;
pub mod automation;
pub mod calendar;
pub mod campaigns;
pub mod canned;
pub mod compliance;
pub mod contact_points;
pub mod conversation_rules;
pub mod cta;
pub mod digest;
pub mod engagement;
pub mod followup;
pub mod funnel;
pub mod hours;
pub mod lead_csv;
pub mod lead_filter;
pub mod leads;
pub mod media;
pub mod messaging;
pub mod money;
pub mod notify;
pub mod pipeline;
pub mod pricing;
pub mod realtime;
pub mod reports;
pub mod role;
pub mod sales;
pub mod send_policy;
pub mod sequences;
pub mod slots;
pub mod templates;
pub mod text;
pub mod vocabulary;
pub mod work;

pub use account::{EmailAddress, OrgName, Password, PersonName, ValidationError};
pub use role::Role;
