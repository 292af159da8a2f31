use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use chrono::Duration;

use crate::App;
use crate::cli::{Format, ListArgs, SortOrder};
use crate::cmd::open_authorized;
use crate::key::EXPIRING_WITHIN_DAYS;
use crate::operator::Action;
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
        || args.unused_for.is_some();
    let filter = KeyFilter {
        now: Some(app.now),
        freezing_by: expiring.then(|| app.now + Duration::days(i64::from(within))),
        // A key never issued needs no renewal: `check` does not count it.
        issued_only: expiring,
        live_at: Some(app.now),
        unused_since: args
            .unused_for
            .map(|days| app.now - Duration::days(i64::from(days))),
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
        crate::notice::expiring_keys(app, store.as_ref());
    }
    Ok(ExitCode::SUCCESS)
}

fn filtered_beyond_expiring(filter: &KeyFilter) -> bool {
    !filter.roles.is_empty()
        || filter.statuses.is_some()
        || filter.name_glob.is_some()
        || filter.unused_since.is_some()
}

/// Prints the table of the keys `filter` selects and returns how many there
/// were. The columns are measured first without keeping any key (by the
/// store, from the text as stored, where all of it is plain ASCII); a table
/// that fits the screen is then drawn by comfy-table (fitted to the
/// terminal), a longer one streamed row by row, through the pager on a
/// terminal.
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
            // The status comes last, so is never padded.
            0,
        ];
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
    if let Some(height) = screen.filter(|&height| rows < height as u64) {
        // At most a screenful, whatever was added since the first pass.
        let screenful = KeyFilter {
            limit: Some(height as u64),
            ..filter.clone()
        };
        let keys = store::keys(store, &screenful)?;
        let narrow = output::screen_width()
            .is_some_and(|width| output::records_fit_better(&keys, app.now, width));
        if narrow {
            output::print_line(output::key_records(&keys, app.now, app.table_style()))?;
        } else {
            output::print_line(output::render(output::keys_table(
                &keys,
                app.now,
                app.table_style(),
            )))?;
        }
        return Ok(rows);
    }
    let mut out = match app.pager {
        true => pager::Output::pager(),
        false => pager::Output::stdout(),
    };
    if app.stdout_is_terminal
        && let Some(width) = output::screen_width()
    {
        columns.fit(width);
    }
    columns.write_header(&mut out, app.color)?;
    let mut cells = output::KeyCells::default();
    store.each_key(filter, &mut |key| {
        let color = output::key_row_color(key.status(app.now)).filter(|_| app.color);
        columns.write_row(&mut out, cells.fill(&key, app.now), color)
    })?;
    out.finish()?;
    Ok(rows)
}
