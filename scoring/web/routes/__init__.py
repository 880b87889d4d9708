"""The page's routes, one APIRouter per page, included by `scoring.web.app.create_app`:

- `listing`: ``/``, the folder's evaluations with their totals and review counts;
- `evaluation`: ``/e/{id}``, one evaluation's table, and the htmx edits and saves
  posted from it;
- `downloads`: the 复核对比表 of a saved review record, as .docx or .xlsx;
- `assets`: the shipped htmx and stylesheet (and an empty favicon).

The routes reach the shared catalog, token and templates through the `State`
dependency (scoring/web/state.py), and every POST's form through `PostedForm`
(scoring/web/security.py), so none of them closes over the app.
"""
