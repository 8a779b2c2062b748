//! `upload`: sends the CSV files in a directory to BalkanID's Bulk upload
//! API. The work is [`crate::balkanid::upload()`]; this reads the API key from
//! the environment, the one place it is read from, so that the library
//! stays free of process-global state its tests would race on.

use std::path::Path;

use super::args::UploadArgs;
use crate::balkanid::{self, ApiKey, UploadOptions, UploadSummary};

/// Uploads `args.dir`'s files with the key from `BALKANID_API_KEY_ID` and
/// `BALKANID_API_KEY_SECRET`. A missing variable is an error before any
/// request.
pub async fn upload(args: UploadArgs) -> Result<UploadSummary, balkanid::UploadError> {
    let key = ApiKey::from_env()?;
    let options = UploadOptions::new(args.api_url, key, args.entitlements);
    balkanid::upload(Path::new(&args.dir), &options).await
}
