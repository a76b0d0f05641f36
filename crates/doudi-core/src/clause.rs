//! The policy's clauses. Code, tests and explanations for staff cite the specification's ids
//! (`2.1.b`); a page the public sees cites the document itself: its number, the part and item
//! in its own numbering, and the item's own heading ([`public_citation`]). The policy coverage
//! page (`/clauses`) lists every clause with the document's own words ([`Clause::words`]), what
//! the software must do for it, and what in the code and the tests cites it.
//!
//! The specification and the document are kept in the repository (`docs/policy/`), and the tests
//! below check that this table has exactly the specification's ids.

/// The policy document: 《云阳县加强城市特殊困难群众帮扶救助工作实施办法》.
pub const DOCUMENT: &str = "云阳府办发〔2019〕22号";

/// The document's text, as published.
const TEXT: &str = include_str!("../../../docs/policy/policy-yunyang-2019-22.zh.txt");

/// One clause of the specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clause {
    /// The specification's id: `2.1.b`.
    pub id: &'static str,
    /// The document's part: 一 .. 五.
    pub part: &'static str,
    /// The part's item: （一）.
    pub item: &'static str,
    /// The item's sentence (一是, 二是 ..), or empty for the whole item.
    pub sentence: &'static str,
    /// The item's heading as the document words it.
    pub heading: &'static str,
    /// What the software must do for it.
    pub requirement: &'static str,
}

impl Clause {
    /// How the public reads a citation of this clause (see [`public_citation`]).
    pub fn citation(&self) -> String {
        format!(
            "{DOCUMENT}第{}部分第{}项{}（{}）",
            self.part, self.item, self.sentence, self.heading
        )
    }

    /// The document's own words for this clause: the item's paragraph, or of it only the
    /// sentence from its 一是/二是 .. to the next one. Empty if the text is not found (a test
    /// checks that every clause finds its words).
    pub fn words(&self) -> &'static str {
        words_of(self.part, self.item, self.sentence).unwrap_or("")
    }
}

/// The ordinal sentence markers the document uses inside an item, in order.
const SENTENCES: [&str; 6] = ["一是", "二是", "三是", "四是", "五是", "六是"];

fn words_of(part: &str, item: &str, sentence: &str) -> Option<&'static str> {
    let heading = format!("{part}、");
    let mut lines = TEXT.lines().map(str::trim);
    lines.find(|line| line.starts_with(&heading))?;
    let paragraph = lines
        .take_while(|line| !is_part_heading(line))
        .find(|line| line.starts_with(item))?;
    if sentence.is_empty() {
        return Some(paragraph);
    }
    let at = paragraph.find(sentence)?;
    let rest = &paragraph[at..];
    let next = SENTENCES
        .iter()
        .skip_while(|s| **s != sentence)
        .nth(1)
        .and_then(|next| rest.find(next));
    Some(next.map_or(rest, |end| &rest[..end]).trim_end())
}

/// Whether a line of the document begins a part: 二、加大政策救助力度.
fn is_part_heading(line: &str) -> bool {
    ["一、", "二、", "三、", "四、", "五、"]
        .iter()
        .any(|h| line.starts_with(h))
}

/// Each clause id of the specification, with the part, the item and the sentence of the
/// document it stands for, the item's heading as the document words it, and what the software
/// must do for it (the specification's last column, in Chinese for the coverage page).
const CLAUSES: &[Clause] = &[
    Clause {
        id: "1.2",
        part: "一",
        item: "（二）",
        sentence: "",
        heading: "救助帮扶对象",
        requirement: "覆盖城市低保对象和城市特困人员两类；一户（一人）属于其中一类，并保留变动历史。",
    },
    Clause {
        id: "1.3",
        part: "一",
        item: "（三）",
        sentence: "",
        heading: "救助帮扶目标",
        requirement: "按户记录“两不愁三保障”五个方面的状况，尽量由档案数据推导；列出有未达标方面的家庭及原因。",
    },
    Clause {
        id: "2.1.a",
        part: "二",
        item: "（一）",
        sentence: "一是",
        heading: "加强最低生活保障",
        requirement: "低保标准和分类施保参数按日期分版本；按月计算每户低保金（标准减家庭月人均收入，重点人员分类加发）；参数或成员年龄、状况变化时重新计算。",
    },
    Clause {
        id: "2.1.b",
        part: "二",
        item: "（一）",
        sentence: "二是",
        heading: "加强最低生活保障",
        requirement: "按申请前6个月的收入和治疗自负费用、学费记录计算支出型困难家庭的月人均收入，并显示算式。",
    },
    Clause {
        id: "2.2.a",
        part: "二",
        item: "（二）",
        sentence: "一是",
        heading: "提升特困人员救助供养水平",
        requirement: "按自理能力计算特困人员基本生活费和照料护理补贴。",
    },
    Clause {
        id: "2.2.b",
        part: "二",
        item: "（二）",
        sentence: "二是",
        heading: "提升特困人员救助供养水平",
        requirement: "记录供养方式（分散、集中）和供养机构；按乡镇统计失能特困人员集中供养率并对照当年目标（40%、50%）；按乡镇把集中供养安排到对应机构。",
    },
    Clause {
        id: "2.3",
        part: "二",
        item: "（三）",
        sentence: "",
        heading: "加强自然灾害救助",
        requirement: "登记灾害事件和受灾家庭；记录应急救助、遇难人员家属抚慰和过渡期生活救助；通知结对干部。",
    },
    Clause {
        id: "2.4",
        part: "二",
        item: "（四）",
        sentence: "",
        heading: "强化基本医疗保障",
        requirement: "记录家庭医生签约和电子健康档案；计算住院的基本医保、大病保险和医疗救助（含倾斜政策）；标记特殊病种；按医院统计目录外费用占比并对照15%。",
    },
    Clause {
        id: "2.5",
        part: "二",
        item: "（五）",
        sentence: "",
        heading: "加大教育资助力度",
        requirement: "按学段和状况推算每名学生每学期应享的资助，并跟踪发放情况。",
    },
    Clause {
        id: "2.6",
        part: "二",
        item: "（六）",
        sentence: "",
        heading: "改善基本居住条件",
        requirement: "记录住房状况；列出应优先保障的家庭；记录实物配租或租赁补贴。",
    },
    Clause {
        id: "2.7",
        part: "二",
        item: "（七）",
        sentence: "",
        heading: "开展就业创业帮扶",
        requirement: "记录成员劳动能力、就业意愿和就业状况；列出零就业家庭；匹配岗位和公益性岗位；记录培训。",
    },
    Clause {
        id: "2.8.a",
        part: "二",
        item: "（八）",
        sentence: "一是",
        heading: "发挥临时救助作用",
        requirement: "受理、审批、发放急难型临时救助。",
    },
    Clause {
        id: "2.8.b",
        part: "二",
        item: "（八）",
        sentence: "二是",
        heading: "发挥临时救助作用",
        requirement: "受理、审批、发放支出型临时救助。",
    },
    Clause {
        id: "2.8.c",
        part: "二",
        item: "（八）",
        sentence: "三是",
        heading: "发挥临时救助作用",
        requirement: "按日期参数核对家庭人均可支配收入、财产和消费条件。",
    },
    Clause {
        id: "2.8.d",
        part: "二",
        item: "（八）",
        sentence: "四是",
        heading: "发挥临时救助作用",
        requirement: "分档救助标准作为参数；“一事一议”提高救助金额须记录集体研究决定和理由。",
    },
    Clause {
        id: "3.1",
        part: "三",
        item: "（一）",
        sentence: "",
        heading: "建立帮扶平台",
        requirement: "建档立卡的家庭档案及其历史；发布去标识化的帮扶需求，接收社会资源，匹配并记录落实。",
    },
    Clause {
        id: "3.2",
        part: "三",
        item: "（二）",
        sentence: "",
        heading: "培育帮扶主体",
        requirement: "登记参与帮扶的企业、社会组织和个人及其提供的帮扶，并统计。",
    },
    Clause {
        id: "3.3",
        part: "三",
        item: "（三）",
        sentence: "",
        heading: "构建帮扶机制",
        requirement: "每户都有结对干部和责任单位；记录走访；开展走访活动；记录政府购买服务。",
    },
    Clause {
        id: "3.4",
        part: "三",
        item: "（四）",
        sentence: "",
        heading: "营造帮扶氛围",
        requirement: "公开政策解读和典型案例页面。",
    },
    Clause {
        id: "4.2.a",
        part: "四",
        item: "（二）",
        sentence: "一是",
        heading: "做好调查摸底",
        requirement: "每户“三清”调查表（家庭情况、致困原因、帮扶需求）；分类台账（按类别、致困原因、帮扶需求、乡镇）。",
    },
    Clause {
        id: "4.2.b",
        part: "四",
        item: "（二）",
        sentence: "二是",
        heading: "加强动态调整",
        requirement: "申请、调查、评议、公示、审批流程；定期复核；退出并记录理由。",
    },
    Clause {
        id: "4.2.c",
        part: "四",
        item: "（二）",
        sentence: "三是",
        heading: "与农村建档立卡贫困人口信息衔接",
        requirement: "导入农村建档立卡贫困人口信息；比对人员；已纳入者排除并显示理由。",
    },
    Clause {
        id: "4.3",
        part: "四",
        item: "（三）",
        sentence: "",
        heading: "组织实施阶段",
        requirement: "覆盖检查：没有结对干部或近期未走访的家庭。",
    },
    Clause {
        id: "4.4",
        part: "四",
        item: "（四）",
        sentence: "",
        heading: "总结评估阶段",
        requirement: "随时间变化的工作看板；缺口清单。",
    },
    Clause {
        id: "5.1",
        part: "五",
        item: "（一）",
        sentence: "",
        heading: "加强组织领导",
        requirement: "乡镇、县民政局、各部门、结对干部、社会组织、监督审计人员和公众各有角色，只能看和做自己的部分。",
    },
    Clause {
        id: "5.2",
        part: "五",
        item: "（二）",
        sentence: "",
        heading: "加强资金投入",
        requirement: "按项目和年度编制预算；每笔发放都可追溯到审批决定；检查重复发放、死亡后发放、超标准发放等问题。",
    },
    Clause {
        id: "5.3",
        part: "五",
        item: "（三）",
        sentence: "",
        heading: "加强精准帮扶",
        requirement: "与各部门交换数据（导入、导出、接口），比对人员，把新情况提醒到对应经办人。",
    },
    Clause {
        id: "5.4",
        part: "五",
        item: "（四）",
        sentence: "",
        heading: "加强督促检查",
        requirement: "督查检查的发现、整改和问责；个人信息脱敏的公开公示页面。",
    },
];

/// Every clause of the specification, in its order.
pub fn all() -> &'static [Clause] {
    CLAUSES
}

/// The clause with this id.
pub fn find(id: &str) -> Option<&'static Clause> {
    CLAUSES.iter().find(|clause| clause.id == id)
}

/// The clauses `id` names: itself, or for a group the clauses in it (`2.8` for 2.8.a–2.8.d,
/// `2.1` for 2.1.a and 2.1.b); none for an id the specification does not have. Code may cite a
/// group; the coverage page counts it for each of its clauses.
pub fn clauses_of(id: &str) -> impl Iterator<Item = &'static Clause> + '_ {
    CLAUSES.iter().filter(move |clause| {
        clause.id == id
            || clause
                .id
                .strip_prefix(id)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// How the public reads a citation of clause `id`: 云阳府办发〔2019〕22号第四部分第（二）项二是
/// （加强动态调整）. `None` for an id the specification does not have.
pub fn public_citation(id: &str) -> Option<String> {
    find(id).map(Clause::citation)
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
        for clause in CLAUSES {
            assert!(seen.insert(clause.id), "{} twice", clause.id);
            assert!(public_citation(clause.id).is_some());
        }
        assert_eq!(seen.len(), 28);
    }

    /// The ids of the specification's tables: rows that begin `| 2.1.b |`.
    fn spec_ids() -> Vec<&'static str> {
        include_str!("../../../docs/policy/SPEC.md")
            .lines()
            .filter_map(|line| line.strip_prefix("| "))
            .filter_map(|rest| rest.split(" |").next())
            .filter(|id| id.starts_with(|c: char| c.is_ascii_digit()))
            .collect()
    }

    #[test]
    fn the_table_has_exactly_the_clauses_of_the_specification_in_its_order() {
        let ours: Vec<&str> = CLAUSES.iter().map(|clause| clause.id).collect();
        assert_eq!(ours, spec_ids());
    }

    #[test]
    fn every_clause_finds_the_documents_own_words() {
        for clause in CLAUSES {
            let words = clause.words();
            assert!(words.chars().count() > 10, "{}: {words:?}", clause.id);
            assert!(words.starts_with(if clause.sentence.is_empty() {
                clause.item
            } else {
                clause.sentence
            }));
        }
        assert!(find("2.1.b").unwrap().words().contains("申请前6个月"));
        assert!(!find("2.1.a").unwrap().words().contains("二是"));
        assert!(
            find("5.2")
                .unwrap()
                .words()
                .starts_with("（二）加强资金投入")
        );
    }

    #[test]
    fn a_group_id_stands_for_each_of_its_clauses() {
        let ids: Vec<&str> = clauses_of("2.8").map(|clause| clause.id).collect();
        assert_eq!(ids, ["2.8.a", "2.8.b", "2.8.c", "2.8.d"]);
        assert_eq!(clauses_of("2.4").count(), 1);
        assert_eq!(clauses_of("2.").count(), 0);
        assert_eq!(clauses_of("4.5").count(), 0);
        assert_eq!(clauses_of("2.1.a").count(), 1);
    }
}
