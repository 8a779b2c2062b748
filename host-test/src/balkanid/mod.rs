//! BalkanID's Bulk upload API: sending the CSV files `extract --format balkanid`
//! writes, and a fake of the API to test that against.
//!
//! BalkanID documents two steps per file (ask for a pre-signed URL, `PUT`
//! the file there) and little else; `../shared/balkanid/FORMATS.md` keeps
//! what is known. [`upload()`] is the one entry point, for the `upload`
//! command and for any other command that wants to upload what it wrote.
//! `transport` is the HTTP/1.1 client (TCP or rustls) and the rule on where
//! a request may go; `rows` counts CSV records for the summary; `fake` is
//! the server the tests run against.

pub mod fake;
mod rows;
mod transport;
mod upload;

pub use upload::{
    ApiKey, At, DEFAULT_API_URL, KEY_ID_VAR, KEY_SECRET_VAR, Kind, Retry, Step, UploadError,
    UploadOptions, UploadSummary, UploadedFile, upload,
};
