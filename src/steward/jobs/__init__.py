"""Background work on Huey: thin tasks calling into the domain (the domain never imports this).

- `huey_app.make_huey(settings)`: SQLite storage in data_dir by default, Redis with
  `STEWARD_JOBS_URL=redis://…` (workers on several machines);
- `tasks.register(huey, runtime)`: the tasks and the periodic schedule;
- `worker`: the in-process consumer started by `steward serve`, and `steward worker`.
"""
