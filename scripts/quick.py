"""Quick look at a run's trajectory (developer's calibration aid)."""
import sys, datetime as dt
import thermidor
until = dt.date.fromisoformat(sys.argv[1]) if len(sys.argv) > 1 else dt.date(1921, 6, 30)
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
r = thermidor.run("baseline", seed=seed, until=until)
df = r.indicators
cols = ["date", "industrial_output_vs_prewar", "working_class_vs_1917", "food_supply", "transport",
        "unemployed", "grain_procurement", "peasant_unrest", "city_population:petrograd",
        "party_members", "red_army", "class_capacity"]
rows = list(range(0, len(df), 10))
print(df[cols].iloc[rows].to_string(float_format=lambda x: f"{x:.3f}" if abs(x) < 100 else f"{x:,.0f}"))
for d, t in r.chronology():
    if "congress" not in t:
        print(d, t)
