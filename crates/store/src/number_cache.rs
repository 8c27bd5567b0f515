//! Which organisation owns a WhatsApp number, remembered for a few seconds. Every webhook POST
//! needs it, and without the cache each would cost a query and an AES-GCM open of the app
//! secret. A change made in this process forgets everything at once; one made on another
//! replica is seen within `FRESH_FOR`.

use crate::{WhatsappAccount, WhatsappSecrets};
use hashlink::LruCache;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const FRESH_FOR: Duration = Duration::from_secs(10);
/// Unknown numbers remembered at most. Anyone can name made-up numbers in a webhook; the
/// least recently named are forgotten first, in constant time.
const UNKNOWN_KEPT: usize = 10_000;

/// A connected number's account and secrets.
type Connected = (WhatsappAccount, WhatsappSecrets);
pub(crate) type Routed = Option<Connected>;

#[derive(Debug)]
pub(crate) struct NumberCache {
    /// Numbers an organisation connected: as many as there are connections, so no bound.
    known: Mutex<HashMap<String, (Instant, Connected)>>,
    unknown: Mutex<LruCache<String, Instant>>,
    touched: Mutex<HashMap<String, Instant>>,
}

impl Default for NumberCache {
    fn default() -> Self {
        NumberCache {
            known: Mutex::default(),
            unknown: Mutex::new(LruCache::new(UNKNOWN_KEPT)),
            touched: Mutex::default(),
        }
    }
}

impl NumberCache {
    /// `Some(routed)` when this process looked the number up less than `FRESH_FOR` ago.
    pub(crate) fn get(&self, phone_number_id: &str) -> Option<Routed> {
        let known = self.known.lock().expect("number cache lock");
        if let Some((at, routed)) = known.get(phone_number_id)
            && at.elapsed() < FRESH_FOR
        {
            return Some(Some(routed.clone()));
        }
        drop(known);
        let mut unknown = self.unknown.lock().expect("number cache lock");
        match unknown.get(phone_number_id) {
            Some(at) if at.elapsed() < FRESH_FOR => Some(None),
            _ => None,
        }
    }

    /// The account that owned the number when this process last looked, however long ago:
    /// good enough to check a signature against when a fresh lookup is not allowed.
    pub(crate) fn last_known(&self, phone_number_id: &str) -> Option<Connected> {
        let known = self.known.lock().expect("number cache lock");
        known.get(phone_number_id).map(|(_, routed)| routed.clone())
    }

    pub(crate) fn put(&self, phone_number_id: &str, routed: Routed) {
        let at = Instant::now();
        match routed {
            Some(found) => {
                let mut known = self.known.lock().expect("number cache lock");
                known.insert(phone_number_id.to_owned(), (at, found));
            }
            None => {
                let mut unknown = self.unknown.lock().expect("number cache lock");
                unknown.insert(phone_number_id.to_owned(), at);
            }
        }
    }

    pub(crate) fn forget(&self) {
        self.known.lock().expect("number cache lock").clear();
        self.unknown.lock().expect("number cache lock").clear();
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
