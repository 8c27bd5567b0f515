//! What a WhatsApp message costs. Meta charges per delivered template message by category and
//! the recipient's country, and tells which messages it bills in the `pricing` object of a
//! status webhook. The price comes from the organisation's rate card, which is data (Meta
//! changes it on 1 Jan, 1 Apr, 1 Jul and 1 Oct), seeded with Meta's published rates.

use crate::ValidationError;
use crate::contact_points::Phone;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

text_enum! {
    /// Meta's pricing categories as a rate card prices them.
    PricingCategory {
        Marketing = "marketing",
        MarketingLite = "marketing_lite",
        Utility = "utility",
        Authentication = "authentication",
        AuthenticationInternational = "authentication_international",
        Service = "service",
        ReferralConversion = "referral_conversion",
    }
}

impl PricingCategory {
    /// The category whose rate applies when a card has no row for this one: Meta prices
    /// Marketing Lite and international authentication off the plain categories' rows.
    fn fallback(self) -> Option<PricingCategory> {
        match self {
            PricingCategory::MarketingLite => Some(PricingCategory::Marketing),
            PricingCategory::AuthenticationInternational => Some(PricingCategory::Authentication),
            _ => None,
        }
    }
}

/// The `pricing` object of a status webhook, kept as Meta wrote it. `pricing_model`, `type`
/// and `category` are Meta's words, not ours: a word Meta adds tomorrow must be stored, not
/// refused, so they stay text here and are read as a [`PricingCategory`] only to price them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessagePricing {
    pub billable: bool,
    pub pricing_model: Option<String>,
    /// `regular`, `free_customer_service`, `free_entry_point`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub category: Option<String>,
}

/// An ISO 4217 currency code (`USD`, `INR`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "USD"))]
pub struct Currency(String);

impl Currency {
    pub fn parse(raw: &str) -> Result<Currency, ValidationError> {
        let code = raw.trim().to_ascii_uppercase();
        if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
            Ok(Currency(code))
        } else {
            Err(ValidationError(
                "is not a currency code: write three letters, e.g. USD or INR".into(),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Currency::parse(&raw).map_err(|e| serde::de::Error::custom(e.0))
    }
}

/// The most one message can cost in a rate card: Meta's dearest rate is a few tenths of a
/// dollar, so anything near this is a typo (a price in paise written as rupees).
const MAX_PRICE: f64 = 1000.0;

/// A price per message, in the rate card's currency: finite, not negative, kept to six
/// decimals (Meta publishes four).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = f64, example = 0.0118))]
pub struct Price(f64);

impl Price {
    pub const ZERO: Price = Price(0.0);

    pub fn new(amount: f64) -> Result<Price, ValidationError> {
        if !amount.is_finite() || amount < 0.0 {
            return Err(ValidationError("must be a price of zero or more".into()));
        }
        if amount > MAX_PRICE {
            return Err(ValidationError(format!(
                "is more than {MAX_PRICE} per message; check the currency and the decimals"
            )));
        }
        Ok(Price((amount * 1e6).round() / 1e6))
    }

    pub fn amount(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Price {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Price::new(f64::deserialize(d)?).map_err(|e| serde::de::Error::custom(e.0))
    }
}

/// Where a rate applies: an ISO 3166 country (`IN`) or `*` for every country without its
/// own row (Meta's "Other").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "IN"))]
pub struct RateCountry(String);

impl RateCountry {
    pub const OTHER: &'static str = "*";

    pub fn parse(raw: &str) -> Result<RateCountry, ValidationError> {
        let code = raw.trim().to_ascii_uppercase();
        let known = code.parse::<phonenumber::country::Id>().is_ok();
        if code == Self::OTHER || (code.len() == 2 && known) {
            Ok(RateCountry(code))
        } else {
            Err(ValidationError(
                "is not a country: write its two-letter code (IN, US, AE) or * for every other country"
                    .into(),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for RateCountry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        RateCountry::parse(&raw).map_err(|e| serde::de::Error::custom(e.0))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rate {
    pub country: RateCountry,
    pub category: PricingCategory,
    pub price: Price,
}

/// An organisation's prices per message, by recipient country and category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateCard {
    pub currency: Currency,
    pub rates: Vec<Rate>,
}

/// The most rows a rate card holds: every country × every category, with room to spare.
pub const MAX_RATES: usize = 2000;

/// A refused rate card: the field path (`rates[3].category`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateCardError {
    pub field: String,
    pub message: String,
}

impl RateCard {
    /// Meta's published rates in US dollars, as shipped with this release.
    pub fn published() -> RateCard {
        serde_json::from_str(include_str!("pricing/published_rates.json"))
            .expect("the shipped rate card is valid")
    }

    /// A card's rows must be unambiguous: one price per country and category.
    pub fn check(&self) -> Result<(), RateCardError> {
        if self.rates.len() > MAX_RATES {
            return Err(RateCardError {
                field: "rates".into(),
                message: format!("holds more than {MAX_RATES} rows"),
            });
        }
        let mut seen = HashSet::new();
        for (i, rate) in self.rates.iter().enumerate() {
            if !seen.insert((rate.country.as_str(), rate.category)) {
                return Err(RateCardError {
                    field: format!("rates[{i}]"),
                    message: format!(
                        "repeats the price of {} messages to {}",
                        rate.category,
                        rate.country.as_str()
                    ),
                });
            }
        }
        Ok(())
    }

    /// The price of one message of `category` to `country`: the country's own row, else the
    /// `*` row, trying the category Meta prices it off when the card has no row for it.
    pub fn price(&self, country: Option<&str>, category: PricingCategory) -> Option<Price> {
        let find = |market: &str, category: PricingCategory| {
            self.rates
                .iter()
                .find(|r| r.country.as_str() == market && r.category == category)
                .map(|r| r.price)
        };
        let lookup = |category| {
            country
                .and_then(|c| find(c, category))
                .or_else(|| find(RateCountry::OTHER, category))
        };
        lookup(category).or_else(|| category.fallback().and_then(lookup))
    }
}

/// What one message cost, in the rate card's currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageCost {
    pub amount: f64,
    pub currency: Currency,
}

/// The cost of a message Meta reported `pricing` for, sent to `recipient`: nothing when Meta
/// does not bill it, the card's price when it does, and unknown (`None`) when the card has no
/// price for its category and country, so that a missing rate never reads as free.
pub fn message_cost(
    pricing: &MessagePricing,
    recipient: Option<&Phone>,
    card: &RateCard,
) -> Option<MessageCost> {
    let amount = if pricing.billable {
        let category: PricingCategory = pricing.category.as_deref()?.parse().ok()?;
        let country = recipient.and_then(Phone::country);
        card.price(country.as_deref(), category)?.amount()
    } else {
        0.0
    };
    Some(MessageCost {
        amount,
        currency: card.currency.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pricing(billable: bool, category: &str) -> MessagePricing {
        MessagePricing {
            billable,
            pricing_model: Some("PMP".into()),
            kind: Some(
                if billable {
                    "regular"
                } else {
                    "free_customer_service"
                }
                .into(),
            ),
            category: Some(category.into()),
        }
    }

    fn phone(raw: &str) -> Phone {
        Phone::parse(raw, None).unwrap()
    }

    #[test]
    fn the_published_card_is_valid_and_prices_india_and_the_rest_of_the_world() {
        let card = RateCard::published();
        card.check().unwrap();
        assert_eq!(card.currency.as_str(), "USD");
        let india = Some(phone("+91 98765 43210"));
        let cost = |category, to: &Option<Phone>| {
            message_cost(&pricing(true, category), to.as_ref(), &card).map(|c| c.amount)
        };
        assert_eq!(cost("marketing", &india), Some(0.0118));
        assert_eq!(cost("utility", &india), Some(0.0014));
        assert_eq!(cost("authentication-international", &india), Some(0.028));
        // Marketing Lite is priced off marketing when the card has no row of its own.
        assert_eq!(cost("marketing_lite", &india), Some(0.0118));
        // A country without its own row pays "Other".
        let iceland = Some(phone("+354 611 1234"));
        assert_eq!(cost("marketing", &iceland), Some(0.0604));
        assert_eq!(cost("marketing", &None), Some(0.0604));
    }

    #[test]
    fn what_meta_does_not_bill_costs_nothing_and_an_unpriced_category_is_unknown() {
        let card = RateCard::published();
        let to = phone("+15551234567");
        let free = message_cost(&pricing(false, "service"), Some(&to), &card).unwrap();
        assert_eq!(free.amount, 0.0);
        // Billed service messages have no seeded price: unknown, never free.
        assert_eq!(
            message_cost(&pricing(true, "service"), Some(&to), &card),
            None
        );
        assert_eq!(
            message_cost(&pricing(true, "holiday_special"), Some(&to), &card),
            None
        );
    }

    #[test]
    fn a_card_refuses_two_prices_for_one_country_and_category() {
        let mut card = RateCard::published();
        card.rates.push(card.rates[0].clone());
        let err = card.check().unwrap_err();
        assert_eq!(err.field, format!("rates[{}]", card.rates.len() - 1));
    }

    #[test]
    fn bad_prices_currencies_and_countries_are_refused() {
        assert!(Price::new(-0.01).is_err());
        assert!(Price::new(f64::NAN).is_err());
        assert!(Price::new(5000.0).is_err());
        assert_eq!(Price::new(0.01234567).unwrap().amount(), 0.012346);
        assert!(Currency::parse("US").is_err());
        assert!(Currency::parse("U$D").is_err());
        assert_eq!(Currency::parse(" inr ").unwrap().as_str(), "INR");
        assert!(RateCountry::parse("XX").is_err());
        assert!(RateCountry::parse("India").is_err());
        assert_eq!(RateCountry::parse("in").unwrap().as_str(), "IN");
        assert_eq!(RateCountry::parse("*").unwrap().as_str(), "*");
    }

    proptest! {
        /// A cost is never negative, is zero whenever Meta does not bill, and when billed is
        /// exactly a price the card holds.
        #[test]
        fn a_cost_is_a_price_on_the_card_or_nothing(
            billable: bool,
            category in prop::sample::select(PricingCategory::ALL.to_vec()),
            digits in "[1-9][0-9]{9}",
        ) {
            let card = RateCard::published();
            let to = Phone::parse(&format!("+91{digits}"), None).ok();
            let p = pricing(billable, category.as_str());
            match message_cost(&p, to.as_ref(), &card) {
                Some(cost) => {
                    prop_assert!(cost.amount >= 0.0);
                    if billable {
                        prop_assert!(card.rates.iter().any(|r| r.price.amount() == cost.amount));
                    } else {
                        prop_assert_eq!(cost.amount, 0.0);
                    }
                }
                None => prop_assert!(billable),
            }
        }
    }
}
