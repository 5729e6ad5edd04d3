//! Sites: the places in the code where accesses, calls and lock
//! acquisitions happen, numbered when the code is compiled for a run with
//! race detection, so that instrumented code carries a plain number and a
//! report can say `file:line:col in function` and name what was accessed.

use std::cell::RefCell;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::ast::{Name, Span};
use crate::diagnostic::SourceFile;

use super::Detector;

/// A site's number; 0 is "unknown" (code that is no script's, such as a
/// builtin run as a thread's function).
pub type SiteId = u32;

pub struct Site {
    source: Arc<SourceFile>,
    offset: u32,
    function: Name,
    /// What the code there names: a variable, or the text of the
    /// expression that reaches a container or a lock.
    pub label: Option<Name>,
}

impl Site {
    /// `file:line:col in function`.
    pub fn place(&self) -> String {
        format!("{} in {}", self.source.location(self.offset), self.function)
    }
}

/// Every site of a run.
#[derive(Default)]
pub struct Sites(Mutex<Vec<Arc<Site>>>);

impl Sites {
    pub fn get(&self, id: SiteId) -> Option<Arc<Site>> {
        let sites = self.0.lock();
        id.checked_sub(1)
            .and_then(|i| sites.get(i as usize).cloned())
    }

    fn add(&self, site: Site) -> SiteId {
        let mut sites = self.0.lock();
        sites.push(Arc::new(site));
        sites.len() as SiteId
    }

    /// `file:line:col in function` of a site.
    pub fn place(&self, id: SiteId) -> String {
        self.get(id)
            .map_or_else(|| "<native code>".to_string(), |s| s.place())
    }

    /// The label of a site, if it has one.
    pub fn label(&self, id: SiteId) -> Option<Name> {
        self.get(id).and_then(|s| s.label.clone())
    }
}

/// What a site's label comes from.
pub enum Label<'a> {
    None,
    /// A variable's name.
    Name(&'a Name),
    /// The source text of an expression.
    Text(Span),
}

/// The code being compiled for a run with race detection.
struct Compiling {
    det: Arc<Detector>,
    /// The function being compiled, innermost last: its source and name.
    scopes: Vec<(Arc<SourceFile>, Name)>,
}

thread_local! {
    static COMPILING: RefCell<Option<Compiling>> = const { RefCell::new(None) };
}

/// While it lives, code compiled on this thread is instrumented for `det`.
pub struct CompileScope {
    outermost: bool,
}

impl Drop for CompileScope {
    fn drop(&mut self) {
        COMPILING.with_borrow_mut(|c| {
            if self.outermost {
                *c = None;
            } else if let Some(c) = c {
                c.scopes.pop();
            }
        });
    }
}

/// Starts compiling a program for `det` (when there is one): its top level
/// is `<script>` of `source`.
pub fn compiling(det: Option<&Arc<Detector>>, source: &Arc<SourceFile>) -> Option<CompileScope> {
    let det = det?.clone();
    COMPILING.with_borrow_mut(|c| {
        *c = Some(Compiling {
            det,
            scopes: vec![(source.clone(), "<script>".into())],
        })
    });
    Some(CompileScope { outermost: true })
}

/// Starts compiling function `name` of `source`, if instrumenting.
pub fn function(source: &Arc<SourceFile>, name: &Name) -> Option<CompileScope> {
    COMPILING.with_borrow_mut(|c| {
        let c = c.as_mut()?;
        c.scopes.push((source.clone(), name.clone()));
        Some(CompileScope { outermost: false })
    })
}

/// The number and label of a new site at `span` of the function being
/// compiled, or `None` when the code is not instrumented.
pub fn site(span: Span, label: Label) -> Option<(SiteId, Option<Name>)> {
    COMPILING.with_borrow(|c| {
        let c = c.as_ref()?;
        let (source, function) = c.scopes.last()?;
        let label = match label {
            Label::None => None,
            Label::Name(n) => Some(n.clone()),
            Label::Text(span) => Some(excerpt(source, span)),
        };
        let id = c.det.sites.add(Site {
            source: source.clone(),
            offset: span.start,
            function: function.clone(),
            label: label.clone(),
        });
        Some((id, label))
    })
}

/// The text of `span`, on one line and not too long for a report.
fn excerpt(source: &SourceFile, span: Span) -> Name {
    const LONGEST: usize = 40;
    let text = source
        .text
        .get(span.start as usize..span.end as usize)
        .unwrap_or("");
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= LONGEST {
        return one_line.into();
    }
    let cut: String = one_line.chars().take(LONGEST - 1).collect();
    format!("{cut}…").into()
}
