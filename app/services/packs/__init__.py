"""Collection packs (采集包): teaching points without internet collect on a USB stick (issue 17).

Four steps, one module each:

* `create`  – the central school writes a pack folder onto the stick for a 教学点, a 研修组 or some
  teachers (document.py builds what it holds; registry.py keeps the packs out in the database);
* `collect` – at the teaching point, with only the installer, every change (a file, hours, an
  activity, point choices) is one new file in the pack folder, written crash-safely (state.py
  replays them; nothing already saved is ever rewritten);
* `seal`    – 完成采集 writes the changes as a BagIt return bag with an HMAC keyed by the pack's
  secret (returns.py reads and checks it at the central school);
* `merge`   – merge_plan.py compares the return with the school's records (new evidence, hours,
  activities, changed choices, conflicts side by side) and merge.py applies what the user saw,
  in one transaction after the files are copied into the store and verified.

The pack folder needs no school data folder: everything the teaching point needs (teachers with
masked ID numbers, their points and items, the programme as applied) is in `tisheng-pack.json`.
"""
