//! Cuts a page's text into pieces the agent can retrieve one at a time: roughly 250–350
//! tokens each, cut between paragraphs where possible, else between sentences, and a heading
//! always travels with the text under it.

use super::readable::Block;
use closer_agent::context::tokens;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone, Copy)]
pub struct ChunkSize {
    /// A chunk this long may end early, at a heading.
    pub min_tokens: usize,
    pub max_tokens: usize,
}

impl Default for ChunkSize {
    fn default() -> Self {
        ChunkSize {
            min_tokens: 250,
            max_tokens: 350,
        }
    }
}

/// A piece no larger than the maximum: a whole block, or part of a long one.
struct Piece {
    heading: bool,
    text: String,
    tokens: usize,
}

/// Splits a long block between sentences (and a run-on sentence between words) into pieces
/// of at most `max` tokens.
fn split_long(text: &str, max: usize, out: &mut Vec<Piece>) {
    let pack = |units: Vec<&str>, out: &mut Vec<Piece>| {
        let mut current = String::new();
        let mut current_tokens = 0;
        for unit in units {
            let n = tokens(unit);
            if current_tokens + n > max && !current.trim().is_empty() {
                out.push(Piece {
                    heading: false,
                    text: current.trim().to_owned(),
                    tokens: current_tokens,
                });
                current.clear();
                current_tokens = 0;
            }
            current.push_str(unit);
            current_tokens += n;
        }
        if !current.trim().is_empty() {
            out.push(Piece {
                heading: false,
                text: current.trim().to_owned(),
                tokens: current_tokens,
            });
        }
    };
    let mut sentences: Vec<Piece> = vec![];
    pack(text.split_sentence_bounds().collect(), &mut sentences);
    for s in sentences {
        if s.tokens <= max {
            out.push(s);
        } else {
            pack(s.text.split_word_bounds().collect(), out);
        }
    }
}

/// The chunks of a page's blocks, at most `limit` of them; the flag says whether text was
/// left over.
pub fn chunk(blocks: &[Block], size: ChunkSize, limit: usize) -> (Vec<String>, bool) {
    let mut pieces: Vec<Piece> = vec![];
    for b in blocks {
        let n = tokens(&b.text);
        if n <= size.max_tokens {
            pieces.push(Piece {
                heading: b.heading,
                text: b.text.clone(),
                tokens: n,
            });
        } else {
            split_long(&b.text, size.max_tokens, &mut pieces);
        }
    }

    let mut chunks: Vec<String> = vec![];
    let mut current: Vec<Piece> = vec![];
    let mut current_tokens = 0;
    let join = |pieces: &[Piece]| {
        pieces
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut rest = pieces.into_iter();
    for piece in rest.by_ref() {
        let full = current_tokens + piece.tokens > size.max_tokens;
        let at_heading = piece.heading && current_tokens >= size.min_tokens;
        if !current.is_empty() && (full || at_heading) {
            // A heading at the end of a chunk belongs to the text after it.
            let carried = match current.last() {
                Some(p) if p.heading && current.len() > 1 => current.pop(),
                _ => None,
            };
            chunks.push(join(&current));
            current.clear();
            current_tokens = 0;
            if chunks.len() == limit {
                return (chunks, true);
            }
            if let Some(h) = carried {
                current_tokens = h.tokens;
                current.push(h);
            }
        }
        current_tokens += piece.tokens;
        current.push(piece);
    }
    if !current.is_empty() {
        if chunks.len() == limit {
            return (chunks, true);
        }
        chunks.push(join(&current));
    }
    (chunks, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(text: &str) -> Block {
        Block {
            heading: false,
            text: text.into(),
        }
    }
    fn heading(text: &str) -> Block {
        Block {
            heading: true,
            text: text.into(),
        }
    }

    /// A paragraph of about `n` tokens, made of short sentences.
    fn sentences(label: &str, n: usize) -> String {
        let mut s = String::new();
        let mut i = 0;
        while tokens(&s) < n {
            s.push_str(&format!("{label} fact number {i} is true. "));
            i += 1;
        }
        s.trim().to_owned()
    }

    #[test]
    fn small_pages_are_one_chunk() {
        let (chunks, more) = chunk(
            &[heading("Contact"), para("Call us on +91 98765 43210.")],
            ChunkSize::default(),
            10,
        );
        assert_eq!(chunks, vec!["Contact\nCall us on +91 98765 43210."]);
        assert!(!more);
    }

    #[test]
    fn chunks_stay_within_the_budget_and_cut_between_paragraphs() {
        let blocks: Vec<Block> = (0..12)
            .map(|i| para(&sentences(&format!("P{i}"), 80)))
            .collect();
        let (chunks, more) = chunk(&blocks, ChunkSize::default(), 100);
        assert!(!more);
        assert!(chunks.len() >= 3, "{}", chunks.len());
        for c in &chunks {
            let n = tokens(c);
            assert!(n <= 360, "chunk of {n} tokens");
            // Every paragraph is whole inside one chunk.
            for b in &blocks {
                let first = &b.text[..20];
                if c.contains(first) {
                    assert!(c.contains(&b.text));
                }
            }
        }
        // Nothing lost, nothing doubled.
        let joined = chunks.join("\n");
        for b in &blocks {
            assert_eq!(joined.matches(&b.text).count(), 1);
        }
        // All but the last are reasonably full.
        for c in &chunks[..chunks.len() - 1] {
            assert!(tokens(c) >= 200, "a short chunk: {}", tokens(c));
        }
    }

    #[test]
    fn a_long_paragraph_is_cut_between_sentences() {
        let long = sentences("Refunds", 900);
        let (chunks, _) = chunk(&[para(&long)], ChunkSize::default(), 100);
        assert!(chunks.len() >= 3);
        for c in &chunks {
            assert!(tokens(c) <= 350);
            assert!(
                c.ends_with('.'),
                "cut mid-sentence: …{}",
                &c[c.len() - 20..]
            );
        }
    }

    #[test]
    fn a_run_on_text_without_sentences_is_cut_between_words() {
        let words = "lorem ".repeat(2_000);
        let (chunks, _) = chunk(&[para(&words)], ChunkSize::default(), 100);
        assert!(chunks.len() >= 4);
        assert!(
            chunks
                .iter()
                .all(|c| tokens(c) <= 350 && c.starts_with("lorem"))
        );
    }

    #[test]
    fn a_heading_starts_a_new_chunk_once_the_current_one_is_full_enough() {
        let blocks = vec![
            heading("Plans"),
            para(&sentences("Plans", 270)),
            heading("Refunds"),
            para(&sentences("Refunds", 40)),
        ];
        let (chunks, _) = chunk(&blocks, ChunkSize::default(), 10);
        assert_eq!(chunks.len(), 2);
        assert!(chunks[0].starts_with("Plans\n"));
        assert!(chunks[1].starts_with("Refunds\n"));
    }

    #[test]
    fn stops_at_the_limit() {
        let blocks: Vec<Block> = (0..20)
            .map(|i| para(&sentences(&format!("P{i}"), 300)))
            .collect();
        let (chunks, more) = chunk(&blocks, ChunkSize::default(), 3);
        assert_eq!(chunks.len(), 3);
        assert!(more);
    }
}
