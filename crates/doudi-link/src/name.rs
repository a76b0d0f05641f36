//! Names as department records carry them: trimmed, full-width letters made half-width, spaces
//! dropped, common traditional characters made simplified, and read as toneless pinyin.

use pinyin::ToPinyin;

use crate::hash::Digest;

/// Traditional characters common in surnames and given names, with their simplified forms.
/// Sorted by the traditional character so that lookups can search it.
const TRADITIONAL: &[(char, char)] = &{
    let mut table = [
        ('張', '张'),
        ('陳', '陈'),
        ('劉', '刘'),
        ('黃', '黄'),
        ('趙', '赵'),
        ('吳', '吴'),
        ('鄭', '郑'),
        ('孫', '孙'),
        ('馬', '马'),
        ('楊', '杨'),
        ('許', '许'),
        ('鄧', '邓'),
        ('馮', '冯'),
        ('韓', '韩'),
        ('蕭', '萧'),
        ('葉', '叶'),
        ('羅', '罗'),
        ('錢', '钱'),
        ('陸', '陆'),
        ('蔣', '蒋'),
        ('龍', '龙'),
        ('譚', '谭'),
        ('盧', '卢'),
        ('賴', '赖'),
        ('聶', '聂'),
        ('顧', '顾'),
        ('嚴', '严'),
        ('賀', '贺'),
        ('鍾', '钟'),
        ('蘇', '苏'),
        ('呂', '吕'),
        ('謝', '谢'),
        ('湯', '汤'),
        ('閆', '闫'),
        ('鄒', '邹'),
        ('龔', '龚'),
        ('萬', '万'),
        ('魯', '鲁'),
        ('賈', '贾'),
        ('歐', '欧'),
        ('偉', '伟'),
        ('強', '强'),
        ('軍', '军'),
        ('傑', '杰'),
        ('濤', '涛'),
        ('鳴', '鸣'),
        ('銘', '铭'),
        ('華', '华'),
        ('樺', '桦'),
        ('驊', '骅'),
        ('劍', '剑'),
        ('國', '国'),
        ('幗', '帼'),
        ('剛', '刚'),
        ('鋼', '钢'),
        ('綱', '纲'),
        ('輝', '辉'),
        ('暉', '晖'),
        ('鋒', '锋'),
        ('豐', '丰'),
        ('楓', '枫'),
        ('濱', '滨'),
        ('鵬', '鹏'),
        ('東', '东'),
        ('誠', '诚'),
        ('義', '义'),
        ('藝', '艺'),
        ('凱', '凯'),
        ('愷', '恺'),
        ('鎧', '铠'),
        ('紅', '红'),
        ('鴻', '鸿'),
        ('麗', '丽'),
        ('靜', '静'),
        ('鵑', '鹃'),
        ('艷', '艳'),
        ('豔', '艳'),
        ('俠', '侠'),
        ('繡', '绣'),
        ('瑩', '莹'),
        ('嬰', '婴'),
        ('鈴', '铃'),
        ('蘭', '兰'),
        ('嵐', '岚'),
        ('瀾', '澜'),
        ('雲', '云'),
        ('蕓', '芸'),
        ('穎', '颖'),
        ('儀', '仪'),
        ('悅', '悦'),
        ('鳳', '凤'),
        ('貴', '贵'),
        ('貞', '贞'),
        ('瑋', '玮'),
        ('煒', '炜'),
        ('韋', '韦'),
        ('壘', '垒'),
        ('鈞', '钧'),
        ('詠', '咏'),
        ('潔', '洁'),
        ('韜', '韬'),
        ('駿', '骏'),
        ('緻', '致'),
        ('億', '亿'),
        ('慶', '庆'),
        ('寶', '宝'),
        ('榮', '荣'),
        ('興', '兴'),
        ('勝', '胜'),
        ('飛', '飞'),
        ('權', '权'),
        ('書', '书'),
        ('順', '顺'),
        ('學', '学'),
        ('嬌', '娇'),
        ('詩', '诗'),
        ('進', '进'),
        ('運', '运'),
        ('達', '达'),
        ('聰', '聪'),
        ('發', '发'),
        ('蓮', '莲'),
        ('鳥', '鸟'),
        ('環', '环'),
        ('靈', '灵'),
        ('愛', '爱'),
        ('瑤', '瑶'),
        ('誼', '谊'),
        ('輪', '轮'),
        ('聲', '声'),
        ('亞', '亚'),
        ('傳', '传'),
        ('淵', '渊'),
        ('濟', '济'),
        ('溫', '温'),
        ('廣', '广'),
        ('莊', '庄'),
        ('鄺', '邝'),
        ('錦', '锦'),
        ('夢', '梦'),
    ];
    // Insertion sort: a `const` context has no `sort`.
    let mut i = 1;
    while i < table.len() {
        let mut j = i;
        while j > 0 && (table[j - 1].0 as u32) > (table[j].0 as u32) {
            let t = table[j - 1];
            table[j - 1] = table[j];
            table[j] = t;
            j -= 1;
        }
        i += 1;
    }
    table
};

/// The simplified form of a common traditional character; any other character unchanged.
pub fn simplify(c: char) -> char {
    match TRADITIONAL.binary_search_by_key(&c, |&(t, _)| t) {
        Ok(i) => TRADITIONAL[i].1,
        Err(_) => c,
    }
}

/// The traditional form of a simplified character, if the table has one (for the generator).
pub(crate) fn traditional(c: char) -> Option<char> {
    TRADITIONAL
        .iter()
        .find(|&&(t, s)| s == c && t != s)
        .map(|&(t, _)| t)
}

/// Trims, makes full-width ASCII half-width, and drops white space (ASCII and the
/// ideographic space) and the middle dots some forms put between name parts.
pub fn normalise_name(name: &str) -> String {
    normal_chars(name).collect()
}

/// The characters of [`normalise_name`], without building the string.
pub(crate) fn normal_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars().filter_map(|c| match c {
        '\u{3000}' | '·' | '•' | '・' => None,
        c if c.is_whitespace() => None,
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        c => Some(c),
    })
}

/// Toneless pinyin of one (already simplified) character; a Latin letter reads as itself.
pub fn pinyin_of(c: char) -> Option<&'static str> {
    c.to_pinyin().map(|p| p.plain())
}

/// The digests a name is compared and blocked by; all 0 when the name is missing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct NameKeys {
    /// The normalised text as written (traditional characters kept).
    pub raw: u32,
    /// The text with traditional characters simplified.
    pub simplified: u32,
    /// Toneless pinyin, syllable by syllable.
    pub pinyin: u32,
    /// Pinyin initials.
    pub initials: u32,
}

impl NameKeys {
    pub(crate) fn of(name: &str) -> NameKeys {
        let mut raw = Digest::new(1);
        let mut simplified = Digest::new(2);
        let mut pinyin = Digest::new(3);
        let mut initials = Digest::new(4);
        let mut empty = true;
        for c in normal_chars(name) {
            empty = false;
            raw = raw.push(u64::from(c));
            let s = simplify(c);
            simplified = simplified.push(u64::from(s));
            let (syllable, initial) = match pinyin_of(s) {
                Some(p) => (Digest::new(5).push_str(p).finish(), p.as_bytes()[0]),
                None => {
                    let lower = s.to_lowercase().next().unwrap_or(s);
                    let initial = if lower.is_ascii() { lower as u8 } else { 0 };
                    (u64::from(lower), initial)
                }
            };
            pinyin = pinyin.push(syllable);
            initials = initials.push(u64::from(initial));
        }
        if empty {
            return NameKeys::default();
        }
        NameKeys {
            raw: raw.finish32(),
            simplified: simplified.finish32(),
            pinyin: pinyin.finish32(),
            initials: initials.finish32(),
        }
    }

    pub(crate) fn is_missing(&self) -> bool {
        self.raw == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_traditional_table_is_sorted_and_maps_to_other_characters() {
        assert!(TRADITIONAL.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(TRADITIONAL.iter().all(|(t, s)| t != s));
        assert_eq!(simplify('張'), '张');
        assert_eq!(simplify('陳'), '陈');
        assert_eq!(simplify('张'), '张');
        assert_eq!(traditional('伟'), Some('偉'));
    }

    #[test]
    fn spaces_and_full_width_letters_are_normalised_away() {
        assert_eq!(normalise_name(" 张　三 丰 "), "张三丰");
        assert_eq!(normalise_name("ＡＢ·王"), "AB王");
    }

    #[test]
    fn a_traditional_spelling_keeps_pinyin_and_simplified_form_but_not_raw_text() {
        let simple = NameKeys::of("张伟");
        let trad = NameKeys::of("張偉");
        assert_ne!(simple.raw, trad.raw);
        assert_eq!(simple.simplified, trad.simplified);
        assert_eq!(simple.pinyin, trad.pinyin);
    }

    #[test]
    fn a_homophone_shares_pinyin_and_initials_only() {
        let a = NameKeys::of("张伟");
        let b = NameKeys::of("张玮");
        assert_ne!(a.simplified, b.simplified);
        assert_eq!(a.pinyin, b.pinyin);
        assert_eq!(a.initials, b.initials);
        let c = NameKeys::of("张文");
        assert_ne!(a.pinyin, c.pinyin);
        assert_eq!(a.initials, c.initials);
    }

    #[test]
    fn an_empty_name_is_missing() {
        assert!(NameKeys::of("  ").is_missing());
        assert!(!NameKeys::of("王").is_missing());
    }
}
