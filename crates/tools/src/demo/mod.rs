//! Demo data: Nghệ An province (code 40) as a province instance — its districts
//! and communes before 1 July 2025, its communes after, the merge mapping, about
//! twenty departments, one account per role, and the demo regimes and indicators.

pub mod history;
pub mod pki;

use std::path::Path;

use baocao_app::auth::{random_secret, system_principal};
use baocao_app::units::{
    only_province, read_merge_file, read_units_file, reform_2025, ImportSummary, StructureFile,
};
use baocao_app::users::UserInput;
use baocao_app::{App, AppError, AppResult};
use baocao_domain::access::Role;
use baocao_domain::unit::{
    Level, ReorgKind, ReorgRecord, UnitCode, UnitId, UnitKind, UnitRecord, Validity,
};
use chrono::Days;

/// The demo province's GSO code.
pub const PROVINCE: &str = "40";
const LOADED_KEY: &str = "demo.loaded";

/// Departments (sở, ban, ngành) of the province as agencies, with the days
/// they began or ended: the reorganisation of provincial departments took
/// effect on 1 March 2025 (Kế hoạch và Đầu tư into Tài chính, Thông tin và
/// Truyền thông into Khoa học và Công nghệ, Lao động – Thương binh và Xã hội
/// into Nội vụ, Giao thông vận tải into Xây dựng, Tài nguyên và Môi trường with
/// Nông nghiệp into Nông nghiệp và Môi trường; Dân tộc và Tôn giáo new; Ngoại
/// vụ's tasks to the Văn phòng). An abolished department owes nothing after
/// its last day. Their identifier codes follow the `000.00.NN.H40` form of
/// Decision 20/2020/QĐ-TTg but the numbers are illustrative.
const AGENCIES: [(&str, &str, Option<&str>, Option<&str>); 20] = [
    (
        "Văn phòng Ủy ban nhân dân tỉnh Nghệ An",
        "văn phòng",
        None,
        None,
    ),
    ("Sở Nội vụ tỉnh Nghệ An", "sở", None, None),
    ("Sở Tư pháp tỉnh Nghệ An", "sở", None, None),
    ("Sở Tài chính tỉnh Nghệ An", "sở", None, None),
    ("Sở Công Thương tỉnh Nghệ An", "sở", None, None),
    (
        "Sở Nông nghiệp và Môi trường tỉnh Nghệ An",
        "sở",
        Some(REORGANISED),
        None,
    ),
    ("Sở Xây dựng tỉnh Nghệ An", "sở", None, None),
    ("Sở Khoa học và Công nghệ tỉnh Nghệ An", "sở", None, None),
    ("Sở Giáo dục và Đào tạo tỉnh Nghệ An", "sở", None, None),
    ("Sở Y tế tỉnh Nghệ An", "sở", None, None),
    (
        "Sở Văn hóa, Thể thao và Du lịch tỉnh Nghệ An",
        "sở",
        None,
        None,
    ),
    (
        "Sở Dân tộc và Tôn giáo tỉnh Nghệ An",
        "sở",
        Some(REORGANISED),
        None,
    ),
    ("Thanh tra tỉnh Nghệ An", "thanh tra", None, None),
    (
        "Ban Quản lý Khu kinh tế Đông Nam Nghệ An",
        "ban",
        None,
        None,
    ),
    (
        "Sở Kế hoạch và Đầu tư tỉnh Nghệ An",
        "sở",
        None,
        Some(LAST_DAY_BEFORE),
    ),
    (
        "Sở Thông tin và Truyền thông tỉnh Nghệ An",
        "sở",
        None,
        Some(LAST_DAY_BEFORE),
    ),
    (
        "Sở Lao động - Thương binh và Xã hội tỉnh Nghệ An",
        "sở",
        None,
        Some(LAST_DAY_BEFORE),
    ),
    (
        "Sở Giao thông vận tải tỉnh Nghệ An",
        "sở",
        None,
        Some(LAST_DAY_BEFORE),
    ),
    (
        "Sở Tài nguyên và Môi trường tỉnh Nghệ An",
        "sở",
        None,
        Some(LAST_DAY_BEFORE),
    ),
    (
        "Sở Ngoại vụ tỉnh Nghệ An",
        "sở",
        None,
        Some(LAST_DAY_BEFORE),
    ),
];
/// The departments the 2025 reorganisation merged, as indices into
/// [`AGENCIES`]: (abolished, the one that took over its tasks).
const AGENCY_MERGES: [(usize, usize); 6] = [
    (14, 3), // Kế hoạch và Đầu tư → Tài chính
    (15, 7), // Thông tin và Truyền thông → Khoa học và Công nghệ
    (16, 1), // Lao động - Thương binh và Xã hội → Nội vụ
    (17, 6), // Giao thông vận tải → Xây dựng
    (18, 5), // Tài nguyên và Môi trường → Nông nghiệp và Môi trường
    (19, 0), // Ngoại vụ → Văn phòng Ủy ban nhân dân tỉnh
];

/// An agency's identifier code: `000.00.NN.H40`.
fn agency_code(index: usize) -> AppResult<UnitCode> {
    UnitCode::parse(UnitKind::Agency, &format!("000.00.{:02}.H40", index + 1))
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The first day of the reorganised provincial departments.
const REORGANISED: &str = "2025-03-01";
/// The last day of the departments it abolished.
const LAST_DAY_BEFORE: &str = "2025-02-28";

/// An account created for the demo.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Login name.
    pub username: String,
    /// Password (printed once).
    pub password: String,
    /// Role.
    pub role: Role,
    /// Where.
    pub unit: String,
}

/// Imports the official structures for one province (or all when `province` is
/// `None`) from the vn-admin folder.
pub async fn import_vn_admin(
    app: &App,
    dir: &Path,
    province: Option<&str>,
) -> AppResult<ImportSummary> {
    let filter = |records: Vec<UnitRecord>| match province {
        Some(code) => only_province(records, code),
        None => records,
    };
    let legacy = filter(read_units_file(&dir.join("units-2008-2025.csv"))?);
    let current = filter(read_units_file(&dir.join("units-2025.csv"))?);
    let reform = reform_2025();
    let day_before = reform.checked_sub_days(Days::new(1)).unwrap_or(reform);
    let mut merge = read_merge_file(&dir.join("merge-2025.csv"))?;
    if province.is_some() {
        let old: std::collections::HashSet<(&str, &str)> = legacy
            .iter()
            .map(|r| (r.level.as_str(), r.code.as_str()))
            .collect();
        merge.retain(|m| old.contains(&(m.old_level.as_str(), m.old_code.as_str())));
    }
    let structures = [
        StructureFile {
            records: legacy,
            validity: Validity {
                from: None,
                to: Some(day_before),
            },
        },
        StructureFile {
            records: current,
            validity: Validity {
                from: Some(reform),
                to: None,
            },
        },
    ];
    app.import_units(&system_principal(), &structures, Some((&merge, reform)))
        .await
}

async fn find(app: &App, level: &str, code: &str, on: chrono::NaiveDate) -> AppResult<UnitId> {
    let found = app
        .search_units(
            &system_principal(),
            None,
            Some(code),
            Some(level),
            Some(on),
            5,
        )
        .await?;
    found.first().map(|u| u.id).ok_or(AppError::NotFound)
}
/// Starts loading two years of report history in the background (see
/// [`history`]); the server answers meanwhile.
pub fn spawn_history(app: &App) {
    let app = app.clone();
    tokio::spawn(async move {
        let targets = async {
            let legacy = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or_default();
            let today = chrono::Local::now().date_naive();
            Ok::<_, AppError>((
                find(&app, "district", "412", legacy).await?,
                find(&app, "province", PROVINCE, today).await?,
            ))
        };
        let result = match targets.await {
            Ok((vinh, province)) => history::load(&app, vinh, province).await,
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "demo history not loaded");
        }
    });
}

/// Loads the demo unless it is already there. Returns the accounts created now
/// (empty when the demo was loaded before).
pub async fn load(app: &App, dir: &Path, password: Option<&str>) -> AppResult<Vec<DemoAccount>> {
    let loaded = app.setting(LOADED_KEY).await?.is_some();
    let accounts = if loaded {
        Vec::new()
    } else {
        load_units_and_accounts(app, dir, password).await?
    };
    load_metadata(app).await?;
    Ok(accounts)
}

/// The demo's regimes and indicators (`crates/tools/demo/metadata.json`, in the
/// format of `docs/metadata-format.md`): loaded once, through the same use case as
/// `baocao regimes import`.
pub const METADATA: &str = include_str!("../../demo/metadata.json");
const METADATA_KEY: &str = "demo.metadata";

async fn load_metadata(app: &App) -> AppResult<()> {
    if app.setting(METADATA_KEY).await?.is_some() {
        return Ok(());
    }
    let doc = baocao_app::catalogue::parse_metadata(METADATA)?;
    let summary = app.apply_metadata(&system_principal(), &doc).await?;
    tracing::info!(?summary, "demo metadata loaded");
    app.set_setting(&system_principal(), METADATA_KEY, "1")
        .await?;
    Ok(())
}

/// Where a demo account works.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// Everywhere (no home unit).
    Instance,
    /// The province.
    Province,
    /// The Department of Science and Technology.
    Ict,
    /// Thành phố Vinh (412), before the reform.
    Vinh,
    /// The first ward of Vinh, before the reform.
    Ward,
    /// A commune of the 2025 structure.
    Commune2025,
}

/// The demo accounts: login name, display name, role and where.
const ACCOUNTS: [(&str, &str, Role, Place); 13] = [
    (
        "admin",
        "Quản trị hệ thống",
        Role::SystemAdmin,
        Place::Instance,
    ),
    (
        "tinh.lanhdao",
        "Lãnh đạo UBND tỉnh",
        Role::Leader,
        Place::Province,
    ),
    (
        "tinh.tonghop",
        "Chuyên viên tổng hợp VP UBND tỉnh",
        Role::Reviewer,
        Place::Province,
    ),
    (
        "tinh.nhaplieu",
        "Cán bộ tổng hợp số liệu VP UBND tỉnh",
        Role::DataEntry,
        Place::Province,
    ),
    (
        "tinh.chedo",
        "Quản trị chế độ báo cáo tỉnh",
        Role::RegimeAdmin,
        Place::Province,
    ),
    (
        "so.khcn.nhaplieu",
        "Cán bộ nhập liệu Sở KH&CN",
        Role::DataEntry,
        Place::Ict,
    ),
    (
        "vinh.tonghop",
        "Chuyên viên tổng hợp TP Vinh",
        Role::Reviewer,
        Place::Vinh,
    ),
    (
        "vinh.lanhdao",
        "Lãnh đạo UBND TP Vinh",
        Role::UnitHead,
        Place::Vinh,
    ),
    (
        "xa.nhaplieu",
        "Cán bộ nhập liệu cấp xã",
        Role::DataEntry,
        Place::Ward,
    ),
    (
        "xa.chutich",
        "Chủ tịch UBND cấp xã",
        Role::UnitHead,
        Place::Ward,
    ),
    (
        "xa2025.nhaplieu",
        "Cán bộ nhập liệu xã (từ 2025)",
        Role::DataEntry,
        Place::Commune2025,
    ),
    (
        "xa2025.chutich",
        "Chủ tịch UBND xã (từ 2025)",
        Role::UnitHead,
        Place::Commune2025,
    ),
    (
        "lienthong",
        "Hệ thống báo cáo quốc gia",
        Role::ConnectedSystem,
        Place::Province,
    ),
];

/// The units the demo accounts work at.
struct Places {
    /// The province.
    province: UnitId,
    /// The Department of Science and Technology.
    ict: UnitId,
    /// Thành phố Vinh, before the reform.
    vinh: UnitId,
    /// Its first ward.
    ward: UnitId,
    /// A commune of the 2025 structure.
    commune_2025: UnitId,
}

impl Places {
    /// The unit of `place` (`None` for the whole instance).
    fn unit(&self, place: Place) -> Option<UnitId> {
        match place {
            Place::Instance => None,
            Place::Province => Some(self.province),
            Place::Ict => Some(self.ict),
            Place::Vinh => Some(self.vinh),
            Place::Ward => Some(self.ward),
            Place::Commune2025 => Some(self.commune_2025),
        }
    }
}

/// Imports the province's units, adds its departments and creates the demo
/// accounts; returns those created now.
async fn load_units_and_accounts(
    app: &App,
    dir: &Path,
    password: Option<&str>,
) -> AppResult<Vec<DemoAccount>> {
    let summary = import_vn_admin(app, dir, Some(PROVINCE)).await?;
    tracing::info!(?summary, "demo units imported");
    let today = chrono::Local::now().date_naive();
    let province = find(app, "province", PROVINCE, today).await?;
    add_agencies(app, province).await?;
    let places = find_places(app, province, today).await?;
    let accounts = create_accounts(app, &places, password).await?;
    app.set_setting(&system_principal(), LOADED_KEY, "1")
        .await?;
    let (units, events) = app.unit_counts().await?;
    tracing::info!(units, events, "demo loaded");
    Ok(accounts)
}

/// Adds the province's departments ([`AGENCIES`]) under `province`, those
/// not there yet.
async fn add_agencies(app: &App, province: UnitId) -> AppResult<()> {
    let admin = system_principal();
    let day = |d: &Option<&str>| d.and_then(|d| d.parse::<chrono::NaiveDate>().ok());
    for (i, (name, kind, from, to)) in AGENCIES.iter().enumerate() {
        let record = UnitRecord {
            line: 0,
            kind: UnitKind::Agency,
            level: Level::parse("province").map_err(|e| AppError::Internal(e.to_string()))?,
            code: agency_code(i)?,
            name: name.to_string(),
            division_type: kind.to_string(),
            parent_code: None,
            lat: None,
            lon: None,
        };
        let exists = !app
            .search_units(&admin, None, Some(record.code.as_str()), None, None, 1)
            .await?
            .is_empty();
        if !exists {
            let validity = Validity {
                from: day(from),
                to: day(to),
            };
            app.add_unit(&admin, record, Some(province), validity)
                .await?;
        }
    }
    // The merges, so that a department's series continues the ones it took
    // over (recorded once: a second load finds them unchanged).
    let level = Level::parse("province").map_err(|e| AppError::Internal(e.to_string()))?;
    let merges = AGENCY_MERGES
        .iter()
        .enumerate()
        .map(|(line, (old, new))| {
            Ok(ReorgRecord {
                line: line as u64 + 1,
                old_level: level.clone(),
                old_code: agency_code(*old)?,
                new_level: level.clone(),
                new_code: agency_code(*new)?,
                kind: ReorgKind::Whole,
                is_default: true,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let date = REORGANISED
        .parse::<chrono::NaiveDate>()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    app.import_units(&admin, &[], Some((&merges, date))).await?;
    Ok(())
}

/// The units of the demo accounts: Thành phố Vinh (412) and its first ward
/// before the reform; one 2025 commune; the Department of Science and
/// Technology.
async fn find_places(app: &App, province: UnitId, today: chrono::NaiveDate) -> AppResult<Places> {
    let admin = system_principal();
    let legacy_day = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or_default();
    let vinh = find(app, "district", "412", legacy_day).await?;
    let ward = app.unit_children(&admin, vinh, Some(legacy_day)).await?;
    let ward = ward.first().ok_or(AppError::NotFound)?.clone();
    let communes_2025 = app.unit_children(&admin, province, Some(today)).await?;
    let commune_2025 = communes_2025
        .iter()
        .find(|u| u.kind == UnitKind::Area)
        .ok_or(AppError::NotFound)?
        .clone();
    let ict = app
        .search_units(&admin, None, Some("000.00.08.H40"), None, None, 1)
        .await?
        .first()
        .map(|u| u.id)
        .ok_or(AppError::NotFound)?;
    Ok(Places {
        province,
        ict,
        vinh,
        ward: ward.id,
        commune_2025: commune_2025.id,
    })
}

/// Creates the demo accounts ([`ACCOUNTS`]) not there yet, with `password`
/// or a random one each; returns those created.
async fn create_accounts(
    app: &App,
    places: &Places,
    password: Option<&str>,
) -> AppResult<Vec<DemoAccount>> {
    let admin = system_principal();
    let mut accounts = Vec::new();
    for (username, name, role, place) in ACCOUNTS {
        let unit = places.unit(place);
        // A rerun after an interrupted load keeps the accounts already made.
        if app.user_by_name(username).await.is_ok() {
            continue;
        }
        let password = password
            .map(str::to_string)
            .unwrap_or_else(|| random_secret()[..20].to_string());
        app.create_user(
            &admin,
            &UserInput {
                username: username.into(),
                display_name: name.into(),
                password: password.clone(),
                unit,
                locale: "vi".into(),
                role: Some(role),
            },
        )
        .await?;
        let unit_name = match unit {
            None => "—".to_string(),
            Some(u) => app.unit_detail(&admin, u, None).await?.unit.name,
        };
        accounts.push(DemoAccount {
            username: username.into(),
            password,
            role,
            unit: unit_name,
        });
    }
    Ok(accounts)
}

#[cfg(test)]
mod tests {

    use baocao_app::catalogue::{parse_metadata, to_json};
    use baocao_app::Settings;
    use baocao_testkit::both_backends;

    use super::*;

    fn data_dir() -> std::path::PathBuf {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/vn-admin")
    }

    both_backends!(
        async fn the_demo_metadata_round_trips_through_an_empty_instance(store) {
            let app = App::new(store.clone(), Settings::default());
            load(&app, &data_dir(), Some("demo password 123")).await.unwrap();
            let exported = to_json(&app.metadata().await.unwrap());
            assert_eq!(exported, METADATA, "the demo file is not in export form");

            // A second, empty instance with the same units takes the export and
            // gives the same file back.
            let other = baocao_testkit::TestDb::new(store.backend()).await;
            let second = App::new(other.store.clone(), Settings::default());
            load_units_and_accounts(&second, &data_dir(), Some("demo password 123")).await.unwrap();
            assert!(second.metadata().await.unwrap().regimes.is_empty());
            let summary = second
                .apply_metadata(&system_principal(), &parse_metadata(&exported).unwrap())
                .await
                .unwrap();
            assert_eq!(summary.changed + summary.unchanged, 0, "{summary:?}");
            assert_eq!(to_json(&second.metadata().await.unwrap()), exported);
            // The departments merged in 2025 lead to the ones that took them over.
            let admin = system_principal();
            let finance = app.search_units(&admin, Some("Sở Tài chính"), None, None, None, 5).await.unwrap();
            let finance = finance.iter().find(|u| u.kind == UnitKind::Agency).unwrap();
            let detail = app.unit_detail(&admin, finance.id, None).await.unwrap();
            let before: Vec<&str> = detail.reorgs.iter().map(|(_, u)| u.name.as_str()).collect();
            assert_eq!(before, vec!["Sở Kế hoạch và Đầu tư tỉnh Nghệ An"], "{:?}", detail.reorgs);
            let merges: i64 = sqlx::Row::try_get(
                &sqlx::query("SELECT COUNT(*) FROM reorg_events e JOIN org_units u ON u.id = e.new_unit_id WHERE u.kind = 'agency'")
                    .fetch_one(&mut *store.conn().await.unwrap())
                    .await
                    .unwrap(),
                0,
            )
            .unwrap();
            assert_eq!(merges, 6);
            // Loading the demo again changes nothing.
            load(&app, &data_dir(), None).await.unwrap();
            assert_eq!(to_json(&app.metadata().await.unwrap()), exported);
            other.teardown().await;
        }
    );

    both_backends!(
        async fn the_demo_history_is_varied_consistent_and_ledgered(store) {
            let app = App::new(store.clone(), Settings::default());
            load(&app, &data_dir(), Some("demo password 123")).await.unwrap();
            let legacy = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
            let today = chrono::Local::now().date_naive();
            let vinh = find(&app, "district", "412", legacy).await.unwrap();
            let province = find(&app, "province", PROVINCE, today).await.unwrap();
            history::load(&app, vinh, province).await.unwrap();
            let count = |sql: &'static str| {
                let store = store.clone();
                async move {
                    let mut conn = store.conn().await.unwrap();
                    let row = sqlx::query(sql).fetch_one(&mut *conn).await.unwrap();
                    sqlx::Row::try_get::<i64, _>(&row, 0).unwrap()
                }
            };
            let accepted = count("SELECT COUNT(*) FROM reports WHERE status = 'accepted'").await;
            let late = count("SELECT COUNT(*) FROM report_versions WHERE on_time = 0").await;
            let on_time = count("SELECT COUNT(*) FROM report_versions WHERE on_time = 1").await;
            let returned = count("SELECT COUNT(*) FROM report_events WHERE action = 'report.return'").await;
            assert!(accepted > 2000, "{accepted}");
            assert!(on_time > 4 * late && late > 0, "{on_time} on time, {late} late");
                        assert!(returned > 10, "{returned}");
            // The quarterly and yearly regimes have their history too, Vinh's
            // own reports synthesized from its wards before the reform.
            let quarterly = count("SELECT COUNT(*) FROM reports WHERE regime_code = 'BC-CDS-Q' AND status = 'accepted'").await;
            let yearly = count("SELECT COUNT(*) FROM reports WHERE regime_code = 'BC-TK-NAM' AND status = 'accepted'").await;
            assert!(quarterly > 500, "{quarterly}");
            assert!(yearly > 100, "{yearly}");
            // Before the reform every district reports: Vinh through the
            // system, the others imported from the previous one.
            let districts_2024 = count(
                "SELECT COUNT(*) FROM reports r JOIN org_units u ON u.id = r.unit_id \
                 WHERE r.regime_code = 'BC-TK-NAM' AND r.period = '2024' AND u.level = 'district' AND r.status = 'accepted'",
            )
            .await;
            assert_eq!(districts_2024, 20);
            let imported = count("SELECT COUNT(*) FROM audit_ledger WHERE action = 'report.import'").await;
            assert!(imported > 8000, "{imported}");
            // The province's consolidated reports add up to Nghệ An's 3.4
            // million people, before and after the reform.
            for period in ["2024M06", "2025M10"] {
                let row = sqlx::query(
                    "SELECT v.content FROM reports r JOIN report_versions v ON v.report_id = r.id AND v.version = r.version \
                     WHERE r.unit_id = r.receiver_id AND r.regime_code = 'BC-KTXH-T' AND r.period = $1",
                )
                .bind(period)
                .fetch_one(&mut *store.conn().await.unwrap())
                .await
                .unwrap();
                let content: baocao_domain::report::Content =
                    serde_json::from_str(&sqlx::Row::try_get::<String, _>(&row, 0).unwrap()).unwrap();
                let people: f64 = content.values["XH01"].parse().unwrap();
                assert!((3.0e6..3.6e6).contains(&people), "{period}: {people}");
            }
            // Every accepted version keeps the regime's rules, imported ones too.
            let meta = app.metadata().await.unwrap();
            let rows = sqlx::query(
                "SELECT r.regime_code, r.regime_version, v.content FROM reports r JOIN report_versions v \
                 ON v.report_id = r.id AND v.version = r.accepted_version",
            )
            .fetch_all(&mut *store.conn().await.unwrap())
            .await
            .unwrap();
            for row in &rows {
                let regime: String = sqlx::Row::try_get(row, 0).unwrap();
                let number: i64 = sqlx::Row::try_get(row, 1).unwrap();
                let content: baocao_domain::report::Content =
                    serde_json::from_str(&sqlx::Row::try_get::<String, _>(row, 2).unwrap()).unwrap();
                let version = meta.regime(&regime).unwrap().version(number as usize).unwrap();
                let failed = baocao_domain::report::validate(&content, version, &meta);
                assert!(failed.is_empty(), "{regime}: {failed:?}");
            }
            // The province's consolidated reports are sent upwards, period by period.
            let consolidated = count(
                "SELECT COUNT(*) FROM reports WHERE unit_id = receiver_id AND status = 'submitted' AND regime_code = 'BC-KTXH-T'",
            )
            .await;
            assert!(consolidated >= 22, "{consolidated}");
            // Submission checks the regime's rules, so every accepted report passed them.
            let (ok, n) = app.verify_ledger().await.unwrap().intact().unwrap();
            assert_eq!(ok.len(), 64);
            // Created, saved, submitted and accepted, or imported in one entry.
            assert!(n > 3 * (accepted - imported) + imported, "{n} ledger entries");
            // A value ten times the commune's usual population is flagged as an
            // outlier against its own accepted history; the rest is not.
            let row = sqlx::query(
                "SELECT r.unit_id, v.content FROM reports r JOIN report_versions v ON v.report_id = r.id \
                                  AND v.version = r.version WHERE r.regime_code = 'BC-KTXH-T' AND r.status = 'accepted' \
                 ORDER BY r.period DESC, r.id LIMIT 1",
            )
            .fetch_one(&mut *store.conn().await.unwrap())
            .await
            .unwrap();
            let unit = UnitId::new(sqlx::Row::try_get::<i64, _>(&row, 0).unwrap());
            let mut content: baocao_domain::report::Content =
                serde_json::from_str(&sqlx::Row::try_get::<String, _>(&row, 1).unwrap()).unwrap();
            let population: i64 = content.values["XH01"].parse().unwrap();
            content.values.insert("XH01".into(), (population * 10).to_string());
            let staff = baocao_domain::access::Principal {
                user_id: baocao_domain::access::UserId::SYSTEM,
                username: "t".into(),
                grants: vec![baocao_domain::access::Grant {
                    role: Role::DataEntry,
                    scope: Some(baocao_domain::access::Scope { unit, ancestors: Vec::new() }),
                }],
            };
                        // Next month's report: not in the history yet, whatever today is.
                        use chrono::Datelike;
            // The first month from this one that the history has not reached
            // and that has begun (a month opens with its reporting window:
            // early in a month the next one has not begun yet).
            let this_month = baocao_domain::period::PeriodId::month(today.year(), today.month()).unwrap();
            let mut fresh = None;
            for period in [this_month, this_month.next().unwrap()] {
                if let Ok(view) = app.open_report(&staff, "BC-KTXH-T", unit, &period.to_string()).await {
                    if (view.status, view.version) == (baocao_domain::report::Status::Draft, 0) {
                        fresh = Some((period, view));
                        break;
                    }
                }
            }
            let (next, view) = fresh.expect("a month not in the history that has begun");
            app.save_report(&staff, view.id, &content, None).await.unwrap();
            let view = app.report(&staff, view.id).await.unwrap();
            let flagged: Vec<&str> = view.outliers.iter().map(|o| o.cell.as_str()).collect();
            assert!(flagged.contains(&"XH01"), "{flagged:?}");
            assert!(flagged.len() < 5, "{flagged:?}");
                        // The form's other columns have what they need: most earlier months
            // of the same year (a few are late, missing or still under review).
            let earlier_months = next.first_day().month() as usize - 1;
            assert!(view.earlier_this_year.len() + 3 >= earlier_months, "{} of {earlier_months}", view.earlier_this_year.len());
            let regime = app.regime("BC-KTXH-T").await.unwrap();
            let form = &regime.version_for(&next).unwrap().1.forms[0];
            let meta = app.metadata().await.unwrap();
            let ctx = baocao_domain::report::ColumnContext {
                last_year: view.last_year.as_ref(),
                earlier_this_year: view.earlier_this_year.iter().collect(),
                targets: view.targets.clone(),
                formulas: None,
            };
                        let columns = baocao_domain::report::column_values(&meta, form, "XH01", &view.content, &ctx);
            assert_eq!(columns[0], Some(rust_decimal::Decimal::from(population * 10)));
            // The spreadsheet template carries the same columns, read-only beside the value.
            let (_, bytes) = app.report_template(&staff, view.id, baocao_app::i18n::Lang::Vi).await.unwrap();
            let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
            let sheet = calamine::Reader::worksheet_range(&mut book, "BaoCao").unwrap();
            let row = sheet.rows().find(|r| r[0] == "XH01").expect("the XH01 row");
            let others: Vec<_> = form.columns.iter().zip(&columns)
                .filter(|(c, _)| c.source != baocao_domain::catalogue::ColumnSource::Current)
                .map(|(_, v)| *v)
                .collect();
            assert!(others.iter().filter(|v| v.is_some()).count() >= 2, "{others:?}");
            for (j, value) in others.iter().enumerate() {
                let written = row.get(5 + j).map(|d| d.to_string()).unwrap_or_default();
                let expected = value.map(baocao_domain::report::derived_text).unwrap_or_default();
                assert_eq!(written, expected, "column {j}");
            }
            // Recording the past is the operator's, and only for the past.
            let someone = baocao_domain::access::Principal { user_id: baocao_domain::access::UserId::new(5), username: "x".into(), grants: Vec::new() };
            let err = app.record_past_submission(&someone, &someone, baocao_domain::report::ReportId::new(1), 1).await.unwrap_err();
            assert!(matches!(err, AppError::Forbidden), "{err:?}");
            let err = app
                .record_past_submission(&system_principal(), &someone, baocao_domain::report::ReportId::new(1), baocao_app::now() + 3600)
                .await
                .unwrap_err();
            assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
            // Loading again adds nothing.
            let n = app.verify_ledger().await.unwrap().intact().unwrap().1;
            history::load(&app, vinh, province).await.unwrap();
            assert_eq!(app.verify_ledger().await.unwrap().intact().unwrap().1, n);
        }
    );
}
