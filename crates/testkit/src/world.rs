//! The world most tests run in: Nghệ An (province 40) from the official unit
//! files, before and after the 2025 reform, with one account per role, and
//! the small catalogue the tests use.

use std::path::PathBuf;

use baocao_app::auth::system_principal;
use baocao_app::units::{only_province, read_units_file, reform_2025, StructureFile};
use baocao_app::users::UserInput;
use baocao_app::{App, Settings};
use baocao_domain::access::{Principal, Role};
use baocao_domain::catalogue::Metadata;
use baocao_domain::unit::{UnitId, Validity};
use baocao_store::Store;
use chrono::NaiveDate;
use serde_json::{json, Value};

/// Every test account's password.
pub const PASSWORD: &str = "correct horse battery";

/// The application with Nghệ An's units and the test accounts.
#[derive(Debug, Clone)]
pub struct World {
    /// The application (group commit on).
    pub app: App,
    /// Tỉnh Nghệ An.
    pub province: UnitId,
    /// Thành phố Vinh (district 412, to 30/06/2025).
    pub district: UnitId,
    /// Another district (414).
    pub other_district: UnitId,
    /// A ward of Vinh.
    pub commune: UnitId,
    /// Another ward of Vinh.
    pub sibling_commune: UnitId,
    /// A commune of the other district.
    pub far_commune: UnitId,
}

/// The shared data folder beside the checkout.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/vn-admin")
}

/// The accounts every world has: name, role and where.
fn accounts(w: &World) -> [(&'static str, Role, Option<UnitId>); 12] {
    [
        ("admin", Role::SystemAdmin, None),
        ("regime.admin", Role::RegimeAdmin, Some(w.province)),
        ("district.regimes", Role::RegimeAdmin, Some(w.district)),
        ("province.reviewer", Role::Reviewer, Some(w.province)),
        ("leader", Role::Leader, Some(w.province)),
        ("district.reviewer", Role::Reviewer, Some(w.district)),
        ("district.officer", Role::DataEntry, Some(w.district)),
        ("district.head", Role::UnitHead, Some(w.district)),
        ("district.admin", Role::SystemAdmin, Some(w.district)),
        ("commune.officer", Role::DataEntry, Some(w.commune)),
        ("commune.head", Role::UnitHead, Some(w.commune)),
        ("other.officer", Role::DataEntry, Some(w.far_commune)),
    ]
}

/// Builds the world on a fresh store.
///
/// # Panics
/// When the shared data is missing or the store refuses it (a broken test set-up).
#[allow(clippy::unwrap_used)]
pub async fn nghe_an(store: Store) -> World {
    let app = App::new(store, Settings::default()).with_group_commit();
    let dir = data_dir();
    let legacy = Validity {
        from: None,
        to: NaiveDate::from_ymd_opt(2025, 6, 30),
    };
    let files = vec![
        StructureFile {
            records: only_province(
                read_units_file(&dir.join("units-2008-2025.csv")).unwrap(),
                "40",
            ),
            validity: legacy,
        },
        StructureFile {
            records: only_province(read_units_file(&dir.join("units-2025.csv")).unwrap(), "40"),
            validity: Validity {
                from: Some(reform_2025()),
                to: None,
            },
        },
    ];
    let admin = system_principal();
    app.import_units(&admin, &files, None).await.unwrap();
    let day = NaiveDate::from_ymd_opt(2025, 6, 1);
    let find = |level: &'static str, code: &'static str| {
        let app = app.clone();
        async move {
            app.search_units(&system_principal(), None, Some(code), Some(level), day, 1)
                .await
                .unwrap()[0]
                .id
        }
    };
    let province = find("province", "40").await;
    let district = find("district", "412").await;
    let other_district = find("district", "414").await;
    let communes = app.unit_children(&admin, district, day).await.unwrap();
    let far_commune = app
        .unit_children(&admin, other_district, day)
        .await
        .unwrap()[0]
        .id;
    let world = World {
        app,
        province,
        district,
        other_district,
        commune: communes[0].id,
        sibling_commune: communes[1].id,
        far_commune,
    };
    for (name, role, unit) in accounts(&world) {
        let input = UserInput {
            username: name.into(),
            display_name: name.into(),
            password: PASSWORD.into(),
            unit,
            locale: "vi".into(),
            role: Some(role),
        };
        // Password hashing is bounded: on a loaded machine (many tests at
        // once) the server says busy, and a client tries again.
        loop {
            match world.app.create_user(&admin, &input).await {
                Err(baocao_app::AppError::Busy { .. }) => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                other => {
                    other.unwrap();
                    break;
                }
            }
        }
    }
    world
}

impl World {
    /// The principal of a test account, as a login would make it.
    ///
    /// # Panics
    /// For an unknown account.
    #[allow(clippy::unwrap_used)]
    pub async fn principal(&self, username: &str) -> Principal {
        let user = self.app.user_by_name(username).await.unwrap();
        self.app.principal_of_user(user.id).await.unwrap()
    }
}

/// A small valid metadata document: two indicators and a rate, a monthly regime
/// received by Nghệ An (40), an ad-hoc regime and one request.
pub fn metadata() -> Value {
    json!({
        "format": "baocao-metadata/1",
        "disaggregations": [{"code": "sex", "name_vi": "Giới tính", "name_en": "Sex", "options": [
            {"code": "male", "name_vi": "Nam", "name_en": "Male"},
            {"code": "female", "name_vi": "Nữ", "name_en": "Female"}]}],
        "indicators": [
            {"code": "LD01", "name_vi": "Số lao động được tạo việc làm", "name_en": "Jobs created",
             "field": "labour", "measure_vi": "người", "measure_en": "persons", "value_type": "integer",
             "over_units": "sum", "over_time": "sum", "disaggregations": ["sex"]},
            {"code": "LD02", "name_vi": "Số lao động trong độ tuổi", "name_en": "Working-age population",
             "field": "labour", "measure_vi": "người", "measure_en": "persons", "value_type": "integer",
             "over_units": "sum", "over_time": "last"},
            {"code": "LD03", "name_vi": "Tỷ lệ lao động được tạo việc làm", "name_en": "Job creation rate",
             "field": "labour", "measure_vi": "%", "measure_en": "%", "value_type": "percentage",
             "over_units": {"weighted_average": "LD02"}, "over_time": "none", "formula": "100 * LD01 / LD02",
             "targets": [{"year": 2026, "applies_to": {"level": "commune"}, "at_least": "2.5"}]}
        ],
        "regimes": [
            {"code": "BC-LD", "versions": [{
                "from": "2026M01", "name_vi": "Báo cáo lao động việc làm hằng tháng", "name_en": "Monthly labour report",
                "legal_basis": "Quyết định 1/2026/QĐ-UBND", "kind": "periodic", "frequency": "monthly",
                "convention": "administrative", "receiving_unit": "40", "methods": ["system"],
                "signature_required": false,
                "reporting": [
                    {"name_vi": "UBND cấp xã", "name_en": "Communes", "select": {"level": "commune"}, "stage": 1,
                     "deadline": {"working_days_after_window": 2}},
                    {"name_vi": "Sở, ngành", "name_en": "Departments", "select": {"level": "province", "kind": "agency"},
                     "stage": 2, "deadline": {"working_days_after_window": 4}}],
                "forms": [{"code": "B01", "title_vi": "Biểu 01", "title_en": "Table 01",
                    "columns": [
                        {"code": "C1", "title_vi": "Thực hiện kỳ này", "title_en": "This period", "source": "current"},
                        {"code": "C2", "title_vi": "Cùng kỳ năm trước", "title_en": "Same period last year", "source": "same_period_last_year"},
                        {"code": "C3", "title_vi": "So cùng kỳ (%)", "title_en": "Change (%)", "source": {"formula": "100 * C1 / C2"}}],
                    "rows": [{"indicator": "LD01", "breakdown": true}, {"indicator": "LD02"}, {"indicator": "LD03"}]}],
                "outline": [{"number": "I", "title_vi": "Kết quả", "title_en": "Results"}]
            }]},
            {"code": "DX-BAO", "versions": [{
                "from": "2026", "name_vi": "Báo cáo đột xuất thiệt hại do thiên tai", "name_en": "Ad-hoc disaster damage report",
                "legal_basis": "Luật Phòng, chống thiên tai", "kind": "ad_hoc", "frequency": "ad_hoc",
                "convention": "calendar", "receiving_unit": "40", "methods": ["system", "email"],
                "signature_required": false,
                "reporting": [{"name_vi": "UBND cấp xã", "name_en": "Communes", "select": {"level": "commune"}, "stage": 1}],
                "outline": [{"number": "1", "title_vi": "Thiệt hại", "title_en": "Damage"}]
            }]}
        ],
        "requests": [{"code": "YC-01", "regime": "DX-BAO", "title_vi": "Thiệt hại do bão số 5", "title_en": "Damage from storm no. 5",
            "issued_by": "40", "window_first": "2026-08-20", "window_last": "2026-08-27", "deadline": "2026-08-31",
            "units": ["16681", "16690"]}]
    })
}

/// The test regime from 2025 with a district stage, so that a pre-reform
/// commune reports to its district, which reports to the province.
///
/// # Panics
/// Never for the document above.
#[allow(clippy::unwrap_used)]
pub fn three_level_metadata() -> Metadata {
    let mut doc = metadata();
    let version = &mut doc["regimes"][0]["versions"][0];
    version["from"] = json!("2025M01");
    version["reporting"] = json!([
        {"name_vi": "UBND cấp xã", "name_en": "Communes", "select": {"level": "commune"}, "stage": 1,
         "deadline": {"working_days_after_window": 2}},
        {"name_vi": "UBND cấp huyện", "name_en": "Districts", "select": {"level": "district"}, "stage": 2,
         "deadline": {"working_days_after_window": 4}},
        {"name_vi": "Sở, ngành", "name_en": "Departments", "select": {"level": "province", "kind": "agency"},
         "stage": 3, "deadline": {"working_days_after_window": 6}}]);
    doc["regimes"][0]["versions"][0]["validation"] = json!([
        {"code": "R1", "expression": "LD01 = LD01.sex.male + LD01.sex.female", "severity": "error",
         "message_vi": "Tổng số phải bằng nam cộng nữ", "message_en": "The total must equal men plus women"},
        {"code": "W1", "expression": "LD03 <= 10", "severity": "warning",
         "message_vi": "Tỷ lệ tạo việc làm cao bất thường"}]);
    doc["requests"] = json!([]);
    serde_json::from_value(doc).unwrap()
}
