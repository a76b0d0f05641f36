//! Matching 100,000 open needs against 10,000 offers (social forces, 3.1):
//! `cargo run --release -p doudi-core --example socialbench`.

use std::time::Instant;

use doudi_core::Need;
use doudi_core::social::{NeedFacts, OfferFacts, OfferKind, Urgency, propose};

fn main() {
    let townships: Vec<String> = (1..=30).map(|t| format!("500235{t:03}")).collect();
    let needs: Vec<NeedFacts> = (0..100_000_usize)
        .map(|i| NeedFacts {
            id: format!("n{i:06}"),
            kind: Need::ALL[i % Need::ALL.len()],
            township: townships[(i / 7) % townships.len()].clone(),
            urgency: Urgency::ALL[i % Urgency::ALL.len()],
        })
        .collect();
    let offers: Vec<OfferFacts> = (0..10_000_usize)
        .map(|i| OfferFacts {
            id: i64::try_from(i).unwrap_or(i64::MAX),
            kind: OfferKind::ALL[i % OfferKind::ALL.len()],
            township: (i % 5 != 0).then(|| townships[(i / 3) % townships.len()].clone()),
            capacity_left: u32::try_from(i % 20 + 1).unwrap_or(1),
        })
        .collect();
    let started = Instant::now();
    let proposals = propose(&needs, &offers);
    let took = started.elapsed();
    println!(
        "匹配 {} 条需求 × {} 项资源：{} 条建议，用时 {} 毫秒",
        needs.len(),
        offers.len(),
        proposals.len(),
        took.as_millis()
    );
}
