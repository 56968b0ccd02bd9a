//! The answer to a question about a document, with no model: the sentences
//! of the document that share the most words with the question, in the
//! document's order. Deterministic, so tests can rely on it.

use std::collections::HashSet;

/// At most this many sentences make an answer.
const MAX_SENTENCES: usize = 3;
/// A stream has at least this many deltas, even for a one-line document.
const MIN_DELTAS: usize = 3;
/// And at most this many words per delta.
const MAX_WORDS_PER_DELTA: usize = 4;

/// Words too common to say what a question is about.
const STOP_WORDS: &[&str] = &[
    "about", "also", "and", "any", "are", "can", "could", "did", "does", "for", "from", "had",
    "has", "have", "her", "his", "how", "into", "its", "not", "our", "she", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "was", "were", "what", "when",
    "where", "which", "who", "why", "will", "with", "would", "you", "your",
];

/// An answer and how it is cut into `delta` events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    text: String,
    words_per_delta: usize,
}

impl Answer {
    /// Answers `question` from the document `title` / `content`.
    pub fn build(title: &str, content: &str, question: &str) -> Self {
        let text = compose(title, content, question);
        let words = text.split_whitespace().count();
        Answer {
            text,
            words_per_delta: (words / MIN_DELTAS).clamp(1, MAX_WORDS_PER_DELTA),
        }
    }

    /// The whole answer, as it is stored.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The delta that starts at byte `from`: the next few words with the
    /// whitespace after them, so that the deltas put together give back
    /// the text exactly. `None` once `from` is at the end.
    pub fn delta_at(&self, from: usize) -> Option<&str> {
        let rest = self.text.get(from..).filter(|rest| !rest.is_empty())?;
        let mut words = 0;
        let mut in_word = false;
        for (index, c) in rest.char_indices() {
            if c.is_whitespace() {
                if in_word {
                    words += 1;
                    in_word = false;
                }
            } else {
                if !in_word && words == self.words_per_delta {
                    return Some(&rest[..index]);
                }
                in_word = true;
            }
        }
        Some(rest)
    }
}

fn compose(title: &str, content: &str, question: &str) -> String {
    let sentences = sentences(content);
    let terms: HashSet<String> = words(question)
        .filter(|word| word.chars().count() >= 3 && !STOP_WORDS.contains(&word.as_str()))
        .collect();

    let mut scored: Vec<(usize, usize)> = sentences
        .iter()
        .enumerate()
        .filter_map(|(index, sentence)| {
            let found: HashSet<String> = words(sentence).filter(|w| terms.contains(w)).collect();
            (!found.is_empty()).then_some((found.len(), index))
        })
        .collect();
    // Best first, earlier first among equals; then back to document order.
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.truncate(MAX_SENTENCES);
    scored.sort_by_key(|&(_, index)| index);

    if scored.is_empty() {
        return match sentences.first() {
            Some(first) => format!("\"{title}\" does not say that directly. It begins: {first}"),
            None => format!("\"{title}\" has no text to answer from yet."),
        };
    }
    let picked: Vec<&str> = scored
        .iter()
        .map(|&(_, index)| sentences[index].as_str())
        .collect();
    format!("From \"{title}\": {}", picked.join(" "))
}

/// The sentences of `text`, each with its whitespace collapsed. A sentence
/// ends at `.`, `!` or `?` followed by whitespace, or at a line break.
fn sentences(text: &str) -> Vec<String> {
    let mut sentences = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        let next_is_space = chars.peek().is_none_or(|&(_, next)| next.is_whitespace());
        let end = match c {
            '.' | '!' | '?' if next_is_space => index + c.len_utf8(),
            '\n' => index,
            _ => continue,
        };
        push_sentence(&mut sentences, &text[start..end]);
        start = index + c.len_utf8();
    }
    push_sentence(&mut sentences, &text[start..]);
    sentences
}

fn push_sentence(sentences: &mut Vec<String>, raw: &str) {
    let sentence = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if !sentence.is_empty() {
        sentences.push(sentence);
    }
}

/// Lower-cased alphanumeric words.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GARDEN: &str = "Tomatoes need full sun and regular water.\n\
        Basil grows well next to tomatoes! Mint spreads quickly, so keep it in a pot.\n\
        Compost improves the soil. Water the basil in the morning.";

    fn deltas(answer: &Answer) -> Vec<&str> {
        let mut cursor = 0;
        std::iter::from_fn(|| {
            let delta = answer.delta_at(cursor)?;
            cursor += delta.len();
            Some(delta)
        })
        .collect()
    }

    #[test]
    fn the_sentences_sharing_most_words_answer_in_document_order() {
        let answer = Answer::build("Garden", GARDEN, "How much water do tomatoes need?");
        assert_eq!(
            answer.text(),
            "From \"Garden\": Tomatoes need full sun and regular water. \
             Basil grows well next to tomatoes! Water the basil in the morning."
        );
    }

    #[test]
    fn at_most_three_sentences_are_picked() {
        let answer = Answer::build("Garden", GARDEN, "basil tomatoes water mint compost");
        assert_eq!(
            answer.text().matches(['.', '!']).count(),
            3,
            "{}",
            answer.text()
        );
    }

    #[test]
    fn a_question_the_document_does_not_cover_gets_its_beginning() {
        let answer = Answer::build("Garden", GARDEN, "What about bees?");
        assert_eq!(
            answer.text(),
            "\"Garden\" does not say that directly. It begins: Tomatoes need full sun and regular water."
        );
    }

    #[test]
    fn an_empty_document_still_answers() {
        let answer = Answer::build("Empty", "  \n ", "anything?");
        assert_eq!(answer.text(), "\"Empty\" has no text to answer from yet.");
        assert!(deltas(&answer).len() >= MIN_DELTAS);
    }

    #[test]
    fn the_answer_is_deterministic() {
        let question = "Where does mint grow?";
        assert_eq!(
            Answer::build("G", GARDEN, question),
            Answer::build("G", GARDEN, question)
        );
    }

    #[test]
    fn deltas_are_a_few_words_and_rebuild_the_text_exactly() {
        let answer = Answer::build("Garden", GARDEN, "basil tomatoes water");
        let deltas = deltas(&answer);
        assert!(deltas.len() >= MIN_DELTAS);
        assert_eq!(deltas.concat(), answer.text());
        assert!(
            deltas
                .iter()
                .all(|d| d.split_whitespace().count() <= MAX_WORDS_PER_DELTA)
        );
    }

    #[test]
    fn a_short_answer_still_makes_three_deltas() {
        let answer = Answer::build("T", "Hi.", "hi");
        let deltas = deltas(&answer);
        assert!(deltas.len() >= MIN_DELTAS, "{deltas:?}");
        assert_eq!(deltas.concat(), answer.text());
    }

    #[test]
    fn sentences_split_on_punctuation_and_lines_but_not_inside_numbers() {
        assert_eq!(
            sentences("Version 1.5 is out. Really?\nYes\n\ndone"),
            ["Version 1.5 is out.", "Really?", "Yes", "done"]
        );
    }
}
