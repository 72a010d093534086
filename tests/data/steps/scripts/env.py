# env.py — lists the environment variables the script can see (locale ones aside)
import os

result = {"visible": sorted(k for k in os.environ if not k.startswith("LC_"))}
