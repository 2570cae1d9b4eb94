//! Each commune's profile: its share of the province's people, economy,
//! tourism, farmland and forest, from its type, terrain and stable noise.

use super::*;

/// A legacy commune as its figures need it.
#[derive(Debug, Clone, Copy)]
pub struct Commune<'a> {
    /// Stable key for noise (`old:16681`): codes are reused across the two
    /// structures, so the key says which one.
    pub key: &'a str,
    /// `xã`, `phường` or `thị trấn`.
    pub division_type: &'a str,
    /// Longitude of its point (the west of the province is mountainous).
    pub lon: Option<f64>,
}

/// What a unit is made of. Every field adds up when communes merge.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    /// Inhabitants at the start of 2024.
    pub people: f64,
    /// Of them, those living in wards and towns (urban areas).
    pub urban: f64,
    /// Share of the province's economy (trade, services, budget).
    pub economy: f64,
    /// Share of its industry (exports, industrial zones).
    pub industry: f64,
    /// Share of its tourism.
    pub tourism: f64,
    /// Share of its rice land.
    pub farmland: f64,
    /// Share of its buffalo and cattle.
    pub herds: f64,
    /// Share of its forest land.
    pub forest: f64,
    /// Poor households at the start of 2024.
    pub poor: f64,
    /// Workers covered by social insurance at the start of 2024.
    pub insured: f64,
    /// People times digital readiness (0–1): the readiness of a merged unit
    /// is its people-weighted mean.
    pub online: f64,
    /// Commune officials.
    pub staff: f64,
    /// Agencies and units under the commune.
    pub offices: f64,
    /// Video-conference points.
    pub points: f64,
    /// Legacy communes it covers.
    pub communes: f64,
    /// For each rural commune it covers, the month (0 = January 2024) from
    /// which it meets the new rural area standard; `u32::MAX` for never.
    pub new_rural: Vec<u32>,
}

impl Profile {
    /// The sum of `parts`, each with the share of it that went in (1 for a
    /// whole merge or the default target of a split).
    pub fn merged<'a>(parts: impl IntoIterator<Item = (&'a Profile, f64)>) -> Profile {
        let mut out = Profile::default();
        for (p, share) in parts {
            out.people += p.people * share;
            out.urban += p.urban * share;
            out.economy += p.economy * share;
            out.industry += p.industry * share;
            out.tourism += p.tourism * share;
            out.farmland += p.farmland * share;
            out.herds += p.herds * share;
            out.forest += p.forest * share;
            out.poor += p.poor * share;
            out.insured += p.insured * share;
            out.online += p.online * share;
            out.staff += p.staff * share;
            out.offices += p.offices * share;
            out.points += p.points * share;
            out.communes += p.communes * share;
            if share >= 0.5 {
                out.new_rural.extend_from_slice(&p.new_rural);
            }
        }
        out
    }

    /// Digital readiness, 0–1.
    pub fn readiness(&self) -> f64 {
        if self.people > 0.0 {
            self.online / self.people
        } else {
            0.0
        }
    }

    /// Share of its people living in urban areas.
    pub fn urban_share(&self) -> f64 {
        if self.people > 0.0 {
            self.urban / self.people
        } else {
            0.0
        }
    }

    /// Share of the province's people.
    pub(super) fn people_share(&self) -> f64 {
        self.people / POPULATION
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Terrain {
    Mountain,
    Midland,
    Lowland,
}

impl Terrain {
    fn of(lon: Option<f64>) -> Terrain {
        match lon {
            Some(l) if l < 105.0 => Terrain::Mountain,
            Some(l) if l < 105.4 => Terrain::Midland,
            _ => Terrain::Lowland,
        }
    }

    /// A factor for (mountain, midland, lowland).
    fn pick(self, values: [f64; 3]) -> f64 {
        match self {
            Terrain::Mountain => values[0],
            Terrain::Midland => values[1],
            Terrain::Lowland => values[2],
        }
    }
}

/// The profiles of the legacy communes, in order, scaled so that the
/// province adds up: its population, shares that sum to one, its poverty and
/// social insurance rates.
pub fn legacy_profiles(communes: &[Commune<'_>]) -> Vec<Profile> {
    let mut out: Vec<Profile> = communes.iter().map(raw_profile).collect();
    let sum = |f: fn(&Profile) -> f64, out: &[Profile]| out.iter().map(f).sum::<f64>().max(1e-9);
    let people = sum(|p| p.people, &out);
    let scale_people = POPULATION / people;
    for p in &mut out {
        p.people *= scale_people;
        p.urban *= scale_people;
        p.poor *= scale_people;
        p.insured *= scale_people;
        p.online *= scale_people;
    }
    // Each of these becomes a share of the province's.
    let shares: [fn(&mut Profile) -> &mut f64; 6] = [
        |p| &mut p.economy,
        |p| &mut p.industry,
        |p| &mut p.tourism,
        |p| &mut p.farmland,
        |p| &mut p.herds,
        |p| &mut p.forest,
    ];
    for field in shares {
        let total = out.iter_mut().map(|p| *field(p)).sum::<f64>().max(1e-9);
        for p in &mut out {
            *field(p) /= total;
        }
    }
    let poor = POVERTY * POPULATION / HOUSEHOLD / sum(|p| p.poor, &out);
    let insured = INSURED * POPULATION * 0.6 / sum(|p| p.insured, &out);
    for p in &mut out {
        p.poor *= poor;
        p.insured *= insured;
    }
    out
}

/// A legacy commune's profile before scaling.
fn raw_profile(c: &Commune<'_>) -> Profile {
    let u = |what: &str| noise(&[c.key, what]);
    let urban = match c.division_type {
        "phường" => 1.0,
        "thị trấn" => 0.6,
        _ => 0.0,
    };
    let terrain = Terrain::of(c.lon);
    let coastal = c.lon.is_some_and(|l| l >= 105.70);
    let people =
        (1.0 + 0.8 * urban) * terrain.pick([0.55, 0.85, 1.0]) * (0.55 + 0.95 * u("people"));
    let economy =
        people * (0.8 + 2.4 * urban) * terrain.pick([0.45, 0.8, 1.0]) * (0.6 + 0.8 * u("economy"));
    let zone = if u("industry") > 0.9 { 6.0 } else { 1.0 };
    let industry = economy * (0.3 + 0.7 * u("industry")) * zone;
    let sights = if coastal {
        6.0
    } else if urban > 0.0 {
        1.5
    } else {
        0.35
    };
    let hotspot = if u("tourism") > 0.96 { 8.0 } else { 1.0 };
    let tourism = people * sights * (0.5 + u("tourism")) * hotspot;
    let farmland = people
        * (1.0 - 0.85 * urban)
        * terrain.pick([0.45, 1.0, 1.2])
        * (0.6 + 0.8 * u("farmland"));
    let herds = farmland * terrain.pick([2.6, 1.6, 0.9]) * (0.7 + 0.6 * u("herds"));
    let forest = terrain.pick([8.0, 2.5, 0.25]) * (1.0 - 0.9 * urban) * (0.4 + 1.2 * u("forest"));
    let poverty = terrain.pick([0.19, 0.055, 0.028]) * (1.0 - 0.85 * urban) * (0.5 + u("poor"));
    let insured_rate =
        (0.14 + 0.22 * urban) * terrain.pick([0.5, 0.8, 1.0]) * (0.8 + 0.4 * u("insured"));
    let readiness = ((0.40 + 0.35 * urban) * terrain.pick([0.55, 0.8, 1.0])
        + 0.3 * (u("readiness") - 0.5))
        .clamp(0.03, 0.98);
    let new_rural = if urban > 0.0 {
        Vec::new()
    } else {
        let (already, during) = if terrain == Terrain::Mountain {
            (0.30, 0.45)
        } else {
            (0.85, 0.95)
        };
        let x = u("new-rural");
        vec![if x < already {
            0
        } else if x < during {
            2 + (u("new-rural-month") * 30.0) as u32
        } else {
            u32::MAX
        }]
    };
    Profile {
        people,
        urban: if urban > 0.0 { people } else { 0.0 },
        economy,
        industry,
        tourism,
        farmland,
        herds,
        forest,
        poor: people / HOUSEHOLD * poverty,
        insured: people * 0.6 * insured_rate,
        online: people * readiness,
        staff: (19.0 + 5.0 * u("staff") + 2.0 * urban).round(),
        offices: (5.0 + 5.0 * u("offices")).round(),
        points: if u("points") > 0.85 { 2.0 } else { 1.0 },
        communes: 1.0,
        new_rural,
    }
}
