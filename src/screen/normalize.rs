//! Names → comparable tokens: case, accents, punctuation and whitespace
//! folded away, legal-form words dropped (English and Chinese), the rest
//! kept in order. Pure and allocation-light; knows nothing of scores.

/// Words that only say what legal form a company has; dropped wherever
/// they stand ("China Telecom Co., Ltd." and "CHINA TELECOM" are one name).
const LEGAL: &[&str] = &[
    "co",
    "company",
    "cos",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "plc",
    "lp",
    "llp",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "pte",
    "pty",
    "oy",
    "ab",
    "jsc",
    "ojsc",
    "pjsc",
    "cjsc",
    "ooo",
    "oao",
    "zao",
    "pao",
    "kg",
    "group",
    "grp",
    "de",
    "cv",
    "fze",
    "fzco",
    "fzc",
    "fzllc",
    "llc",
    "sdn",
    "bhd",
];

/// Words that carry no name of their own; kept, but weighed little
/// ("Megvii" is the short form of "Megvii Technology").
const GENERIC: &[&str] = &[
    "technology",
    "technologies",
    "tech",
    "science",
    "sciences",
    "scientific",
    "information",
    "info",
    "digital",
    "electronic",
    "electronics",
    "electric",
    "electrical",
    "communication",
    "communications",
    "telecommunication",
    "telecommunications",
    "international",
    "intl",
    "industrial",
    "industries",
    "industry",
    "trading",
    "trade",
    "import",
    "export",
    "imp",
    "exp",
    "engineering",
    "equipment",
    "development",
    "enterprise",
    "enterprises",
    "system",
    "systems",
    "holding",
    "holdings",
    "investment",
    "investments",
    "service",
    "services",
    "manufacturing",
    "mfg",
    "products",
    "product",
    "solutions",
    "research",
    "institute",
    "network",
    "networks",
    "software",
    "machinery",
    "materials",
    "global",
    "general",
    "national",
    "new",
    "logistics",
    "shipping",
    "commercial",
    "joint",
    "stock",
    "public",
    "private",
    "center",
    "centre",
    "intelligent",
    "intelligence",
    "smart",
    "security",
    "precision",
    "instrument",
    "instruments",
    "device",
    "devices",
    "optical",
    "optics",
    "automation",
    "aviation",
    "energy",
    "chemical",
    "chemicals",
    "mining",
    "resources",
    "bank",
    "china",
    "chinese",
    "hong",
    "kong",
    "beijing",
    "shanghai",
    "shenzhen",
    "guangzhou",
    "hangzhou",
    "zhejiang",
    "jiangsu",
    "guangdong",
    "xiamen",
    "tianjin",
    "wuhan",
    "chengdu",
    "chongqing",
    "nanjing",
    "fujian",
    "shandong",
    "sichuan",
    "hubei",
    "hunan",
    "anhui",
    "xian",
    "shaanxi",
    "liaoning",
    "dalian",
    "suzhou",
    "jinan",
    "qingdao",
];

/// Stop words dropped before comparing.
const STOP: &[&str] = &["the", "of", "and", "for", "a", "an", "und", "et", "y"];

/// Chinese legal forms, longest first, stripped from the end of a run of
/// Chinese characters (simplified and traditional forms).
const CJK_LEGAL: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "集团公司",
    "集團公司",
    "集团",
    "集團",
    "公司",
];

/// Whether `t` is a generic word (weighed little).
pub fn is_generic(t: &str) -> bool {
    GENERIC.contains(&t)
}

/// Whether `t` is a legal-form word (dropped).
pub fn is_legal(t: &str) -> bool {
    LEGAL.contains(&t)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// The ASCII letters a Latin letter with a diacritic stands for, or None.
fn fold(c: char) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("àáâãäåāăą", "a"),
        ("æ", "ae"),
        ("çćĉċč", "c"),
        ("ďđð", "d"),
        ("èéêëēĕėęě", "e"),
        ("ĝğġģ", "g"),
        ("ĥħ", "h"),
        ("ìíîïĩīĭįı", "i"),
        ("ĳ", "ij"),
        ("ĵ", "j"),
        ("ķĸ", "k"),
        ("ĺļľŀł", "l"),
        ("ñńņňŉŋ", "n"),
        ("òóôõöøōŏő", "o"),
        ("œ", "oe"),
        ("ŕŗř", "r"),
        ("śŝşšș", "s"),
        ("ß", "ss"),
        ("ţťŧț", "t"),
        ("þ", "th"),
        ("ùúûüũūŭůűų", "u"),
        ("ŵ", "w"),
        ("ýÿŷ", "y"),
        ("źżž", "z"),
    ];
    TABLE
        .iter()
        .find(|(set, _)| set.contains(c))
        .map(|&(_, to)| to)
}

/// Lower-cased, accent-folded tokens of a name, in order, with legal-form
/// and stop words dropped. Apostrophes and dots join ("People's" →
/// `peoples`, "S.A." → `sa`); other punctuation separates. A run of Chinese
/// characters is one token, its legal-form ending stripped. When every
/// word is a legal-form or stop word the words are kept (a company named
/// "Group" is still named).
///
/// # Complexity
/// O(length of the name).
pub fn tokens(name: &str) -> Vec<String> {
    let mut raw: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cjk = String::new();
    let flush = |cur: &mut String, raw: &mut Vec<String>| {
        if !cur.is_empty() {
            raw.push(std::mem::take(cur));
        }
    };
    let flush_cjk = |cjk: &mut String, raw: &mut Vec<String>| {
        if !cjk.is_empty() {
            let mut s = std::mem::take(cjk);
            while let Some(end) = CJK_LEGAL
                .iter()
                .find(|e| s.ends_with(*e) && s.len() > e.len())
            {
                s.truncate(s.len() - end.len());
            }
            raw.push(s);
        }
    };
    for c in name.chars() {
        if is_cjk(c) {
            flush(&mut cur, &mut raw);
            cjk.push(c);
            continue;
        }
        flush_cjk(&mut cjk, &mut raw);
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
        } else if matches!(c, '\'' | '.' | '’' | '`' | '´') {
            // joins: nothing pushed
        } else if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                match fold(l) {
                    Some(s) => cur.push_str(s),
                    None => cur.push(l),
                }
            }
        } else {
            flush(&mut cur, &mut raw);
        }
    }
    flush(&mut cur, &mut raw);
    flush_cjk(&mut cjk, &mut raw);
    let kept: Vec<String> = raw
        .iter()
        .filter(|t| !is_legal(t) && !STOP.contains(&t.as_str()))
        .cloned()
        .collect();
    if kept.is_empty() {
        raw
    } else {
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::tokens;

    #[test]
    fn case_accents_punctuation_and_legal_forms_fold_away() {
        assert_eq!(
            tokens("Hangzhou Hikvision Digital Technology Co., Ltd."),
            ["hangzhou", "hikvision", "digital", "technology"]
        );
        assert_eq!(
            tokens("HUAWEI TECHNOLOGIES CO., LTD."),
            ["huawei", "technologies"]
        );
        assert_eq!(tokens("Société Générale S.A."), ["societe", "generale"]);
        assert_eq!(
            tokens("XUAR People's Government  Public-Security Bureau"),
            [
                "xuar",
                "peoples",
                "government",
                "public",
                "security",
                "bureau"
            ]
        );
        assert_eq!(tokens("SenseTime Group Limited"), ["sensetime"]);
        assert_eq!(tokens("Group Inc."), ["group", "inc"]);
        assert_eq!(
            tokens("Aviation Industry Corporation of China"),
            ["aviation", "industry", "china"]
        );
    }

    #[test]
    fn chinese_legal_endings_are_stripped() {
        assert_eq!(tokens("浙江大华技术股份有限公司"), ["浙江大华技术"]);
        assert_eq!(
            tokens("廈門市美亞柏科信息股份有限公司"),
            ["廈門市美亞柏科信息"]
        );
        assert_eq!(tokens("頤信科技有限公司"), ["頤信科技"]);
        assert_eq!(tokens("Dahua 大华集团"), ["dahua", "大华"]);
    }
}
