"""Print yearly means of key indicators for quick calibration (a developer's tool)."""

import sys
import time

import numpy as np

import thermidor

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0
scen = sys.argv[2] if len(sys.argv) > 2 else "baseline"
t = time.time()
r = thermidor.run(scen, seed=seed)
print(f"wall {time.time() - t:.1f}s")
df = r.indicators
df["year"] = df["date"].dt.year
cols = ["working_class_vs_1917", "industrial_output_vs_prewar", "labour_productivity_vs_prewar",
        "sector_output_vs_prewar:pig_iron", "sector_output_vs_prewar:fuel",
        "sector_output_vs_prewar:textiles", "crop_output_vs_prewar:hemp",
        "crop_output_vs_prewar:flax", "crop_output_vs_prewar:cotton",
        "crop_output_vs_prewar:sugar_beet", "grain_harvest_vs_prewar", "food_supply",
        "class_capacity", "workers_democracy", "peasant_unrest", "mean_consciousness",
        "red_army", "army", "party_members", "old_bolshevik_share", "state_officials",
        "unemployed", "city_population:petrograd", "city_population:moscow", "transport",
        "peasant_share:kulak", "peasant_share:poor", "grain_procurement", "marketed_grain_share",
        "soviet_months_since_election:moscow", "legal_parties", "army_sympathy",
        "soviet_bolshevik_share:petrograd", "rural_population"]
agg = {c: ("sum" if c == "grain_procurement" else "mean") for c in cols}
with np.printoptions(linewidth=200):
    g = df.groupby("year").agg(agg).T
    print(g.to_string(float_format=lambda x: f"{x:,.3f}" if abs(x) < 100 else f"{x:,.0f}"))
m19 = df[(df.date >= "1919-03-01") & (df.date < "1919-04-01")]
print("old_bolshevik_share 1919-03", m19["old_bolshevik_share"].mean(), "members", m19["party_members"].mean())
print("max moscow gap 1919-20", df[(df.date >= "1919-01-01") & (df.date < "1921-01-01")]["soviet_months_since_election:moscow"].max())
for d, txt in r.chronology():
    print(d, txt)
print(r.ledger["expected"], r.ledger["actual"])
