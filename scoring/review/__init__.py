"""Reviews: records, the review sheet, re-scoring, comparison."""
