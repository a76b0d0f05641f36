//! The policy's clauses as the public reads them. Code, tests and explanations for staff cite
//! the specification's ids (`2.1.b`); a page the public sees cites the document itself: its
//! number, the part and item in its own numbering, and the item's own heading
//! ([`public_citation`]).

/// The policy document: 《云阳县加强城市特殊困难群众帮扶救助工作实施办法》.
pub const DOCUMENT: &str = "云阳府办发〔2019〕22号";

/// Each clause id of the specification, with the part, the item and the sentence of the
/// document it stands for, and the item's heading as the document words it.
const CLAUSES: &[(&str, &str, &str, &str, &str)] = &[
    ("1.2", "一", "（二）", "", "救助帮扶对象"),
    ("1.3", "一", "（三）", "", "救助帮扶目标"),
    ("2.1.a", "二", "（一）", "一是", "加强最低生活保障"),
    ("2.1.b", "二", "（一）", "二是", "加强最低生活保障"),
    ("2.2.a", "二", "（二）", "一是", "提升特困人员救助供养水平"),
    ("2.2.b", "二", "（二）", "二是", "提升特困人员救助供养水平"),
    ("2.3", "二", "（三）", "", "加强自然灾害救助"),
    ("2.4", "二", "（四）", "", "强化基本医疗保障"),
    ("2.5", "二", "（五）", "", "加大教育资助力度"),
    ("2.6", "二", "（六）", "", "改善基本居住条件"),
    ("2.7", "二", "（七）", "", "开展就业创业帮扶"),
    ("2.8.a", "二", "（八）", "一是", "发挥临时救助作用"),
    ("2.8.b", "二", "（八）", "二是", "发挥临时救助作用"),
    ("2.8.c", "二", "（八）", "三是", "发挥临时救助作用"),
    ("2.8.d", "二", "（八）", "四是", "发挥临时救助作用"),
    ("3.1", "三", "（一）", "", "建立帮扶平台"),
    ("3.2", "三", "（二）", "", "培育帮扶主体"),
    ("3.3", "三", "（三）", "", "构建帮扶机制"),
    ("3.4", "三", "（四）", "", "营造帮扶氛围"),
    ("4.2.a", "四", "（二）", "一是", "做好调查摸底"),
    ("4.2.b", "四", "（二）", "二是", "加强动态调整"),
    (
        "4.2.c",
        "四",
        "（二）",
        "三是",
        "与农村建档立卡贫困人口信息衔接",
    ),
    ("4.3", "四", "（三）", "", "组织实施阶段"),
    ("4.4", "四", "（四）", "", "总结评估阶段"),
    ("5.1", "五", "（一）", "", "加强组织领导"),
    ("5.2", "五", "（二）", "", "加强资金投入"),
    ("5.3", "五", "（三）", "", "加强精准帮扶"),
    ("5.4", "五", "（四）", "", "加强督促检查"),
];

/// How the public reads a citation of clause `id`: 云阳府办发〔2019〕22号第四部分第（二）项二是
/// （加强动态调整）. `None` for an id the specification does not have.
pub fn public_citation(id: &str) -> Option<String> {
    CLAUSES
        .iter()
        .find(|(clause, ..)| *clause == id)
        .map(|(_, part, item, sentence, heading)| {
            format!("{DOCUMENT}第{part}部分第{item}项{sentence}（{heading}）")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clause_is_cited_in_the_documents_own_numbering_and_words() {
        assert_eq!(
            public_citation("4.2.b").unwrap(),
            "云阳府办发〔2019〕22号第四部分第（二）项二是（加强动态调整）"
        );
        assert_eq!(
            public_citation("2.4").unwrap(),
            "云阳府办发〔2019〕22号第二部分第（四）项（强化基本医疗保障）"
        );
        assert_eq!(public_citation("9.9"), None);
    }

    #[test]
    fn every_clause_id_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for (id, ..) in CLAUSES {
            assert!(seen.insert(*id), "{id} twice");
            assert!(public_citation(id).is_some());
        }
        assert_eq!(seen.len(), 28);
    }
}
