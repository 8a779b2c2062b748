//! Counting a CSV file's records for the upload summary. A line count would
//! be wrong: a quoted field may hold a line break (RFC 4180), and the CSV
//! writer quotes any field that has one. This is the smallest state machine
//! that reads quoting as RFC 4180 does; it never allocates.

/// The CSV ends inside a quoted field: its closing quote is missing, so the
/// file is not whole CSV and BalkanID would refuse it or misread it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unterminated;

/// Where the reader is inside a record.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field: a quote here opens a quoted field.
    FieldStart,
    /// Inside a field that did not start with a quote: quotes are plain text.
    Unquoted,
    /// Inside a quoted field: commas and line breaks are data.
    Quoted,
    /// Just after a quote inside a quoted field: the field's end, or the
    /// first half of a doubled quote.
    QuoteInQuoted,
}

/// The number of records in `csv`, header included. A line break is CRLF,
/// LF or a lone CR; an empty line is not a record (as the `csv` crate
/// reads it), and neither is the end of the file after the last line break.
pub fn records(csv: &[u8]) -> Result<u64, Unterminated> {
    let mut records = 0u64;
    // Whether the current record has anything in it, even one empty field.
    let mut started = false;
    let mut state = State::FieldStart;
    for &b in csv {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::FieldStart, b'"') => {
                started = true;
                State::Quoted
            }
            (_, b',') => {
                started = true;
                State::FieldStart
            }
            (_, b'\r' | b'\n') => {
                if started {
                    records += 1;
                    started = false;
                }
                State::FieldStart
            }
            // Text after a closing quote, or anywhere in an unquoted field:
            // not RFC 4180, read leniently as the `csv` crate does.
            _ => {
                started = true;
                State::Unquoted
            }
        };
    }
    if state == State::Quoted {
        return Err(Unterminated);
    }
    Ok(records + u64::from(started))
}

/// The number of data rows: the records after the header.
pub fn data_rows(csv: &[u8]) -> Result<u64, Unterminated> {
    records(csv).map(|n| n.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_counts_quoted_line_breaks_as_data() {
        let csv = b"type,id,name\r\nuser,1,\"two\r\nlines\"\r\nuser,2,\"a \"\"quote\"\", and a comma\"\r\n";
        assert_eq!(records(csv), Ok(3));
        assert_eq!(data_rows(csv), Ok(2));
    }

    #[test]
    fn records_takes_any_line_end_and_skips_empty_lines() {
        assert_eq!(records(b"a,b\nc,d"), Ok(2));
        assert_eq!(records(b"a,b\rc,d\r"), Ok(2));
        assert_eq!(records(b"a,b\r\n\r\n\r\nc,d\r\n\r\n"), Ok(2));
        assert_eq!(records(b""), Ok(0));
        assert_eq!(data_rows(b""), Ok(0));
        assert_eq!(data_rows(b"type,id\r\n"), Ok(0));
    }

    #[test]
    fn records_counts_a_record_of_empty_fields() {
        assert_eq!(records(b"h\r\n,\r\n\"\"\r\n"), Ok(3));
    }

    #[test]
    fn records_reads_stray_quotes_leniently() {
        assert_eq!(records(b"a\"b,c\r\n\"x\"y,z\r\n"), Ok(2));
    }

    #[test]
    fn records_refuses_an_unclosed_quote() {
        assert_eq!(records(b"h\r\n\"open,\r\nstill open"), Err(Unterminated));
        assert_eq!(records(b"h\r\n\"closed\"\"\""), Ok(2));
    }
}
