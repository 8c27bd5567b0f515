//! Which organisation owns a WhatsApp number, remembered for a few seconds. Every webhook POST
//! needs it, and without the cache each would cost a query and an AES-GCM open of the app
//! secret. A change made in this process forgets everything at once; one made on another
//! replica is seen within `FRESH_FOR`.

use crate::{WhatsappAccount, WhatsappSecrets};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const FRESH_FOR: Duration = Duration::from_secs(10);

type Routed = Option<(WhatsappAccount, WhatsappSecrets)>;

#[derive(Default, Debug)]
pub(crate) struct NumberCache {
    entries: Mutex<HashMap<String, Entry>>,
    touched: Mutex<HashMap<String, Instant>>,
}

#[derive(Debug)]
struct Entry {
    at: Instant,
    routed: Routed,
}

impl NumberCache {
    pub(crate) fn get(&self, phone_number_id: &str) -> Option<Routed> {
        let entries = self.entries.lock().expect("number cache lock");
        entries
            .get(phone_number_id)
            .filter(|e| e.at.elapsed() < FRESH_FOR)
            .map(|e| e.routed.clone())
    }

    pub(crate) fn put(&self, phone_number_id: &str, routed: Routed) {
        let mut entries = self.entries.lock().expect("number cache lock");
        // Unknown numbers are cached too (Meta retries them); bound the map against a flood
        // of made-up ids.
        if entries.len() > 10_000 {
            entries.retain(|_, e| e.at.elapsed() < FRESH_FOR);
        }
        entries.insert(
            phone_number_id.to_owned(),
            Entry {
                at: Instant::now(),
                routed,
            },
        );
    }

    pub(crate) fn forget(&self) {
        self.entries.lock().expect("number cache lock").clear();
    }

    /// True at most once per `every` per number: when "last webhook at" should be written.
    pub(crate) fn due_for_touch(&self, phone_number_id: &str, every: Duration) -> bool {
        let mut touched = self.touched.lock().expect("number cache lock");
        match touched.get(phone_number_id) {
            Some(at) if at.elapsed() < every => false,
            _ => {
                touched.insert(phone_number_id.to_owned(), Instant::now());
                true
            }
        }
    }
}
