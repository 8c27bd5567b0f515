//! An amount as a lead reads it in a message: "₹1,50,000" for an Indian business, "$150,000"
//! in the US, "€15,000" in Europe, "AED 15,000" where the symbol would be ambiguous (the many
//! dollars) or written in another script.

use iso_currency::Currency;

/// What a business prices in when it has not said (the product's first market).
pub const DEFAULT_CURRENCY: &str = "INR";

/// `amount` (whole units) in `currency` (ISO 4217; empty: [`DEFAULT_CURRENCY`]): the
/// currency's symbol when it names it alone, else its code; lakh and crore grouping for the
/// rupee only, thousands everywhere else.
pub fn said_amount(amount: u64, currency: &str) -> String {
    let code = match currency.trim().to_ascii_uppercase() {
        c if c.is_empty() => DEFAULT_CURRENCY.to_owned(),
        c => c,
    };
    let digits = amount.to_string();
    let grouped = if code == "INR" {
        indian_grouping(&digits)
    } else {
        thousands(&digits)
    };
    match Currency::from_code(&code).map(|c| c.symbol().symbol) {
        Some(symbol) if names_alone(&symbol, &code) => format!("{symbol}{grouped}"),
        _ => format!("{code} {grouped}"),
    }
}

/// "$" is the US dollar's only; a symbol with letters ("S$", "kr", "د.إ") or none ("¤") reads
/// better as the code.
fn names_alone(symbol: &str, code: &str) -> bool {
    !symbol.is_empty()
        && symbol != "¤"
        && !symbol.chars().any(char::is_alphabetic)
        && (symbol != "$" || code == "USD")
}

/// 1,00,00,000: the last three digits, then pairs.
fn indian_grouping(digits: &str) -> String {
    let (head, last3) = digits.split_at(digits.len().saturating_sub(3));
    let mut groups: Vec<&str> = vec![];
    let mut rest = head;
    while rest.len() > 2 {
        let (a, b) = rest.split_at(rest.len() - 2);
        groups.insert(0, b);
        rest = a;
    }
    if !rest.is_empty() {
        groups.insert(0, rest);
    }
    groups.push(last3);
    groups.join(",")
}

/// 10,000,000: groups of three.
fn thousands(digits: &str) -> String {
    let mut groups: Vec<&str> = vec![];
    let mut rest = digits;
    while rest.len() > 3 {
        let (a, b) = rest.split_at(rest.len() - 3);
        groups.insert(0, b);
        rest = a;
    }
    groups.insert(0, rest);
    groups.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn each_business_hears_its_own_currency() {
        assert_eq!(said_amount(10_000_000, "INR"), "₹1,00,00,000");
        assert_eq!(said_amount(15_000, ""), "₹15,000");
        assert_eq!(said_amount(500, "inr"), "₹500");
        assert_eq!(said_amount(10_000_000, "USD"), "$10,000,000");
        assert_eq!(said_amount(150_000, "EUR"), "€150,000");
        assert_eq!(said_amount(2_500, "GBP"), "£2,500");
        assert_eq!(said_amount(1_500_000, "AED"), "AED 1,500,000");
        assert_eq!(said_amount(900, "CAD"), "CAD 900");
        assert_eq!(said_amount(12_000, "SGD"), "SGD 12,000");
    }

    proptest! {
        /// The grouping never changes the amount, and groups as the currency's readers do:
        /// pairs then a last three for the rupee, threes otherwise.
        #[test]
        fn grouping_keeps_every_digit(
            n in 1u64..1_000_000_000_000,
            currency in proptest::sample::select(vec!["INR", "USD", "EUR", "AED", "JPY", "", "XYZ"]),
        ) {
            let said = said_amount(n, currency);
            let digits: String = said.chars().filter(char::is_ascii_digit).collect();
            prop_assert_eq!(digits, n.to_string());
            let number = said.trim_start_matches(|c: char| !c.is_ascii_digit());
            let groups: Vec<&str> = number.split(',').collect();
            let pairs = currency.is_empty() || currency == "INR";
            let last = groups.len() - 1;
            for (i, g) in groups.iter().enumerate() {
                if i == last && i > 0 { prop_assert_eq!(g.len(), 3); }
                else if i > 0 { prop_assert_eq!(g.len(), if pairs { 2 } else { 3 }); }
                else { prop_assert!((1..=3).contains(&g.len())); }
            }
            prop_assert_eq!(said.starts_with('₹'), pairs);
        }
    }
}
