"""Trace the party's inner life (developer's aid): factions, control, cohesion, events."""
import sys

import numpy as np

import thermidor

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0
r = thermidor.run("baseline", seed=seed)
df = r.indicators
cols = ["date", "faction_share:left_opposition", "faction_share:leningrad_opposition",
        "faction_share:right", "faction_share:workers_opposition", "appointed_secretaries_share",
        "bureaucratic_control", "bureaucratic_cohesion", "party_democracy", "opposition_press_share",
        "price_scissors", "unemployed", "managers_from_workers_share", "peasant_unrest",
        "kulak_share", "grain_harvest_vs_prewar", "industrial_output_vs_prewar"]
sel = df[(df.date >= "1920-06-01")].iloc[::13]
print(sel[cols].to_string(float_format=lambda x: f"{x:.3f}" if abs(x) < 100 else f"{x:,.0f}"))
skip = ("Congress meets", "Central Committee of", "Central Committee's line")
for d, t in r.chronology():
    if not any(s in t for s in skip) and d >= "1920-06":
        print(d, t)
print("wall", r.manifest["wall_time_s"])
