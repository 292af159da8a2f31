use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use chrono::Duration;

use crate::App;
use crate::cli::{Format, ListArgs, SortOrder};
use crate::key::EXPIRING_WITHIN_DAYS;
use crate::operator::Action;
use crate::ops::open_authorized;
use crate::output::{self, JsonArray};
use crate::pager;
use crate::store::{self, KeyFilter, KeySort, Store};

pub fn run(app: &App, args: ListArgs) -> Result<ExitCode> {
    let store = open_authorized(app, Action::List)?;
    let expiring = args.expiring || args.within.is_some();
    let within = args.within.unwrap_or(EXPIRING_WITHIN_DAYS);
    let filtered = expiring
        || !args.roles.is_empty()
        || !args.statuses.is_empty()
        || args.name.is_some()
        || args.unused_for.is_some()
        || args.origin.created_by.is_some()
        || args.origin.older_than.is_some();
    let filter = KeyFilter {
        now: Some(app.now),
        freezing_by: expiring.then(|| app.now + Duration::days(i64::from(within))),
        // A key never issued needs no renewal: `check` does not count it.
        issued_only: expiring,
        live_at: Some(app.now),
        unused_since: args
            .unused_for
            .map(|days| app.now - Duration::days(i64::from(days))),
        created_by_then: crate::cmd::created_before(&args.origin, app.now),
        created_by: args.origin.created_by,
        roles: args.roles,
        statuses: (!args.statuses.is_empty()).then_some(args.statuses),
        name_glob: args.name,
        sort: match args.sort {
            SortOrder::Id => KeySort::Id,
            SortOrder::Name => KeySort::Name,
            SortOrder::Created => KeySort::Created,
            SortOrder::Freezes => KeySort::Freezes,
            SortOrder::LastUsed => KeySort::LastUsed,
        },
        ..KeyFilter::default()
    };
    match app.format {
        Format::Json => {
            let mut array = JsonArray::new(output::stdout())?;
            store.each_key(&filter, &mut |key| {
                array.push_written(|out| output::write_key_element(out, &key, app.now))
            })?;
            array.finish()?.flush()?;
        }
        Format::Table => {
            let rows = table(app, store.as_ref(), &filter)?;
            if rows == 0 && expiring && !filtered_beyond_expiring(&filter) {
                output::note(format!("No key freezes within {within} days."));
            } else if rows == 0 && filtered {
                output::note("No key matches.");
            } else if rows == 0 {
                output::note(
                    "No keys yet. Create the first one with `intergiro-keys create --name NAME --role ROLE`.",
                );
            }
        }
    }
    crate::cmd::warn_skipped(store.as_ref());
    if !filtered {
        crate::cmd::notice_expiring_keys(app, store.as_ref());
    }
    Ok(ExitCode::SUCCESS)
}

fn filtered_beyond_expiring(filter: &KeyFilter) -> bool {
    !filter.roles.is_empty()
        || filter.statuses.is_some()
        || filter.name_glob.is_some()
        || filter.unused_since.is_some()
        || filter.created_by.is_some()
        || filter.created_by_then.is_some()
}

/// Prints the table of the keys `filter` selects and returns how many there
/// were. The columns are measured first without keeping any key (by the
/// store, from the text as stored, where all of it is plain ASCII); a table
/// that fits the screen is then measured exactly and printed, a longer one
/// streamed row by row, through the pager on a terminal. On a terminal both
/// are fitted to its width (`output::key_columns` says in which order
/// columns give way).
fn table(app: &App, store: &dyn Store, filter: &KeyFilter) -> Result<u64> {
    let mut columns = output::key_columns();
    let extent = store.key_extent(filter)?;
    if extent.plain {
        // Printable ASCII: characters counted in the store are the widths.
        let days_left = |at: Option<chrono::DateTime<chrono::Utc>>| {
            at.map_or(0, |at| crate::key::days_left(at, app.now).to_string().len())
        };
        let widths = [
            extent.longest_id as usize,
            extent.longest_name as usize,
            extent.longest_roles as usize,
            "2026-01-01 00:00".len(),
            "2026-01-01 00:00".len(),
            days_left(extent.soonest_freeze).max(days_left(extent.latest_freeze)),
            // Last use, at its widest: "59 minutes ago".
            "59 minutes ago".len(),
            // Set below.
            0,
        ];
        // The status comes last and takes the room left: a retiring key's
        // date goes first when there is too little. Room for the date when
        // some key is retiring (the count is the store's, not the filter's:
        // at worst room to spare).
        columns.measure_short(7, output::KEY_STATUS_WIDTH);
        if app.stdout_is_terminal
            && store
                .count_flagged(app.now, app.now)
                .is_ok_and(|counts| counts.retiring > 0)
        {
            columns.widen(7, "~ retiring until 2026-01-01 00:00".len());
        }
        for (index, width) in widths.into_iter().enumerate() {
            columns.widen(index, width);
        }
        columns.count(extent.keys);
    } else {
        // Escapes and wide characters: measure every row as it is shown.
        let mut cells = output::KeyCells::default();
        store.each_key(filter, &mut |key| {
            columns.measure(cells.fill(&key, app.now));
            Ok(())
        })?;
    }
    let rows = columns.rows();
    if rows == 0 {
        return Ok(0);
    }
    // A terminal that does not tell its size is taken to be the classic 24
    // lines.
    let screen = app
        .stdout_is_terminal
        .then(|| output::screen_height().unwrap_or(24));
    let width = app.stdout_is_terminal.then(output::screen_width).flatten();
    let mut cells = output::KeyCells::default();
    if let Some(height) = screen.filter(|&height| rows < height as u64) {
        // At most a screenful, whatever was added since the first pass,
        // measured exactly.
        let screenful = KeyFilter {
            limit: Some(height as u64 - 1),
            ..filter.clone()
        };
        let keys = store::keys(store, &screenful)?;
        let mut columns = output::key_columns();
        for key in &keys {
            columns.measure(cells.fill(key, app.now));
        }
        if let Some(width) = width {
            columns.fit(width);
        }
        let mut out = output::stdout();
        columns.write_header(&mut out, app.color)?;
        for key in &keys {
            let color = output::key_row_color(key.status(app.now)).filter(|_| app.color);
            columns.write_row(&mut out, cells.fill(key, app.now), color)?;
        }
        out.flush()?;
        return Ok(rows);
    }
    let mut out = match app.pager {
        true => pager::Output::pager(),
        false => pager::Output::stdout(),
    };
    if let Some(width) = width {
        columns.fit(width);
    }
    columns.write_header(&mut out, app.color)?;
    store.each_key(filter, &mut |key| {
        let color = output::key_row_color(key.status(app.now)).filter(|_| app.color);
        columns.write_row(&mut out, cells.fill(&key, app.now), color)
    })?;
    out.finish()?;
    Ok(rows)
}
