//! What can go wrong opening, building or querying the index, as one error type.

use super::*;

/// Something went wrong building or opening the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index directory could not be created.
    #[error("cannot create the search index directory `{path}`: {source}")]
    CreateDir { path: PathBuf, source: io::Error },
    /// tantivy failed (a directory that already holds an index, a damaged index, disk errors).
    #[error("search index at `{path}`: {source}")]
    Index {
        path: PathBuf,
        source: tantivy::TantivyError,
    },
    /// The facet labels file could not be read or written.
    #[error("cannot access `{path}`: {source}")]
    LabelsIo { path: PathBuf, source: io::Error },
    /// The facet labels file is not valid JSON of the expected shape.
    #[error("`{path}` is damaged ({source}): rebuild the site")]
    LabelsJson {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// A units file of the index could not be written.
    #[error("cannot write the search index's units in `{path}`: {source}")]
    UnitsIo { path: PathBuf, source: io::Error },
    /// A file of the client-side index could not be written.
    #[error("cannot write the client-side search index's `{path}`: {source}")]
    ClientIndexIo { path: PathBuf, source: io::Error },
    /// A file of the index could not be made readable as the rest of the index is.
    #[error("cannot set the permissions of the search index's `{path}`: {source}")]
    Permissions { path: PathBuf, source: io::Error },
    /// A file of the index is missing or not what jurisdex wrote.
    #[error("the search index at `{path}` is damaged: rebuild the site")]
    Damaged { path: PathBuf },
    /// The index was written with a different schema.
    #[error(
        "the search index at `{path}` was built by another version of jurisdex: rebuild the site"
    )]
    SchemaMismatch { path: PathBuf },
}

pub(super) fn tantivy_error(
    dir: &Path,
) -> impl Fn(tantivy::TantivyError) -> SearchError + Copy + '_ {
    move |source| SearchError::Index {
        path: dir.to_path_buf(),
        source,
    }
}

pub(super) fn units_error(dir: &Path) -> impl Fn(io::Error) -> SearchError + Copy + '_ {
    move |source| SearchError::UnitsIo {
        path: dir.to_path_buf(),
        source,
    }
}
