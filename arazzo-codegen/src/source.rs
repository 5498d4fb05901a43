//! Loaded input files: their text, and where each node of the YAML or JSON tree stands in it.
//!
//! Values come from `serde_yaml`; positions come from a second, event-level pass with
//! `yaml-rust2`, which records for every node (by JSON pointer) where its key and its value
//! start and end. Semantic diagnostics name a node by pointer and get a `file:line:col` here.

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A position in a file: 1-based line and 1-based column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub col: usize,
}

/// Where a node's key (for mapping entries) and its value stand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeSpan {
    /// The key of the mapping entry that holds this node, if it is held by a mapping.
    pub key: Option<Pos>,
    /// Start of the value.
    pub start: Pos,
    /// Length of the value on its first line, in characters (0 for collections).
    pub width: usize,
}

/// One loaded file.
#[derive(Debug)]
pub struct SourceFile {
    display: String,
    text: String,
    spans: BTreeMap<String, NodeSpan>,
}

impl SourceFile {
    /// Builds the position index of `text`. A file the span pass cannot read still loads; its
    /// diagnostics then point at the start of the file.
    pub fn new(display: String, text: String) -> Self {
        let spans = index_spans(&text);
        SourceFile {
            display,
            text,
            spans,
        }
    }

    /// The name under which diagnostics show this file.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> Option<&str> {
        self.text
            .split('\n')
            .nth(line.checked_sub(1)?)
            .map(|l| l.trim_end_matches('\r'))
    }

    /// The span of the node at `pointer`, or of its nearest ancestor that has one.
    pub fn locate(&self, pointer: &str) -> Option<(NodeSpan, bool)> {
        let mut p = pointer;
        let mut exact = true;
        loop {
            if let Some(span) = self.spans.get(p) {
                return Some((*span, exact));
            }
            if p.is_empty() {
                return None;
            }
            exact = false;
            p = match p.rfind('/') {
                Some(i) => &p[..i],
                None => "",
            };
        }
    }
}

/// Escapes one JSON pointer reference token (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends a token to a pointer.
pub fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_token(token))
}

/// Appends an index to a pointer.
pub fn index(pointer: &str, i: usize) -> String {
    format!("{pointer}/{i}")
}

enum Frame {
    Seq {
        pointer: String,
        next: usize,
    },
    Map {
        pointer: String,
        key: Option<(String, Pos)>,
    },
}

struct SpanSink {
    stack: Vec<Frame>,
    spans: BTreeMap<String, NodeSpan>,
    done: bool,
}

fn pos(mark: &Marker) -> Pos {
    Pos {
        line: mark.line(),
        col: mark.col() + 1,
    }
}

impl SpanSink {
    /// Where the next value goes, and the key position if it is a mapping value. Returns
    /// `None` when the event is a mapping key.
    fn place_value(&mut self) -> Option<(String, Option<Pos>)> {
        match self.stack.last_mut() {
            None => Some((String::new(), None)),
            Some(Frame::Seq { pointer, next }) => {
                let p = index(pointer, *next);
                *next += 1;
                Some((p, None))
            }
            Some(Frame::Map { pointer, key }) => {
                let (k, kpos) = key.take()?;
                Some((child(pointer, &k), Some(kpos)))
            }
        }
    }
}

impl MarkedEventReceiver for SpanSink {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.done {
            return;
        }
        match ev {
            Event::Scalar(value, ..) => match self.place_value() {
                Some((pointer, key)) => {
                    let width = value.lines().next().map_or(0, |l| l.chars().count());
                    self.spans.insert(
                        pointer,
                        NodeSpan {
                            key,
                            start: pos(&mark),
                            width,
                        },
                    );
                }
                None => {
                    if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                        *key = Some((value, pos(&mark)));
                    }
                }
            },
            Event::Alias(_) => {
                if let Some((pointer, key)) = self.place_value() {
                    self.spans.insert(
                        pointer,
                        NodeSpan {
                            key,
                            start: pos(&mark),
                            width: 0,
                        },
                    );
                } else if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                    // An alias used as a key: keep a placeholder so the value still lands.
                    *key = Some(("*alias".to_string(), pos(&mark)));
                }
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let is_map = matches!(ev, Event::MappingStart(..));
                let (pointer, key) = match self.place_value() {
                    Some(v) => v,
                    None => {
                        // A collection used as a mapping key; positions below it are not
                        // addressable by pointer.
                        (String::from("/\u{0}complex-key"), None)
                    }
                };
                self.spans.insert(
                    pointer.clone(),
                    NodeSpan {
                        key,
                        start: pos(&mark),
                        width: 0,
                    },
                );
                self.stack.push(if is_map {
                    Frame::Map { pointer, key: None }
                } else {
                    Frame::Seq { pointer, next: 0 }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
            }
            Event::DocumentEnd => self.done = true,
            _ => {}
        }
    }
}

/// Nesting of flow collections (`[`, `{`) beyond which a file is refused unread: parsers are
/// slow on such input, and no real document comes near it.
pub const MAX_FLOW_DEPTH: usize = 512;

/// The deepest run of unclosed `[` and `{`, found in one linear pass. Brackets inside strings
/// count too, which can only make the figure larger for balanced text.
pub fn flow_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn index_spans(text: &str) -> BTreeMap<String, NodeSpan> {
    if flow_depth(text) > MAX_FLOW_DEPTH {
        return BTreeMap::new();
    }
    let mut sink = SpanSink {
        stack: Vec::new(),
        spans: BTreeMap::new(),
        done: false,
    };
    let mut parser = Parser::new_from_str(text);
    // A scan error leaves the spans gathered so far; the value parse reports the error.
    let _ = parser.load(&mut sink, false);
    sink.spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_of_yaml_nodes() {
        let f = SourceFile::new(
            "t.yaml".into(),
            "a:\n  b: hello\n  c:\n    - x\n    - {d: 1}\n".into(),
        );
        let (s, exact) = f.locate("/a/b").unwrap();
        assert!(exact);
        assert_eq!(s.start, Pos { line: 2, col: 6 });
        assert_eq!(s.key, Some(Pos { line: 2, col: 3 }));
        assert_eq!(s.width, 5);
        assert_eq!(
            f.locate("/a/c/1/d").unwrap().0.start,
            Pos { line: 5, col: 11 }
        );
        assert_eq!(f.locate("/a/c/0").unwrap().0.start, Pos { line: 4, col: 7 });
        let (s, exact) = f.locate("/a/c/1/zz").unwrap();
        assert!(!exact);
        assert_eq!(s.start, Pos { line: 5, col: 7 });
    }

    #[test]
    fn spans_of_json_nodes() {
        let f = SourceFile::new("t.json".into(), "{\n  \"a/b\": [1, \"two\"]\n}".into());
        assert_eq!(
            f.locate("/a~1b/1").unwrap().0.start,
            Pos { line: 2, col: 14 }
        );
        assert_eq!(f.line_text(2), Some("  \"a/b\": [1, \"two\"]"));
    }

    #[test]
    fn columns_count_characters() {
        let f = SourceFile::new("t.yaml".into(), "é: ü\nk: v\n".into());
        assert_eq!(f.locate("/é").unwrap().0.start, Pos { line: 1, col: 4 });
        assert_eq!(f.locate("/k").unwrap().0.start, Pos { line: 2, col: 4 });
    }
}
