"""The marks of jixiao's own fill-in workbook, shared by its writer and its reader.

The writer (`scoring.outputs.workbook`) puts them in; the reader finds a sheet it
wrote by them. They live on the reading side, the lower layer, so that reading
never depends on writing.
"""

LAYOUT_VERSION = 1
MARKER_KEY = "jixiao"  # the key of the JSON note that marks a sheet as ours
DEFINED_NAME = "jixiao_layout"
SOURCE_PREFIX = "其中："  # the label before a funds source's name
# Keys of the hidden settings: the weight of each group whose rows the unit writes
# (`[{"level1": …, "level2": … or absent, "weight": "20"}]`: blank weights there share
# it), and the fill-in hints left in cells (`{"funds_management": {row name: hint}}`).
GROUPS_KEY = "groups"
HINTS_KEY = "hints"
