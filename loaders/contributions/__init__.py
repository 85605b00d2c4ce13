"""Contributions: validated, atomic, attributed loading of organisation and dataset records (issue 5).

The pipeline (:mod:`.ingest`) is shared by ``POST /api/v1/contributions``, ``ourdata load`` and
``ourdata validate``: parse (:mod:`.parse`), map CSV rows (:mod:`.mapping`) or normalise RDF
(:mod:`.rdf_input`), validate (:mod:`.validate`, :mod:`.shacl`), reconcile (:mod:`.reconcile`), load with
provenance (:mod:`.provenance`). The CSV columns live in :mod:`.fields`; the published template in
:mod:`.template`.
"""

from loaders.contributions.ingest import Outcome, Submission, check, ingest, withdraw
from loaders.contributions.problems import ContributionRejected, ContributionTooLarge, Problem

__all__ = ["ContributionRejected", "ContributionTooLarge", "Outcome", "Problem", "Submission", "check", "ingest",
           "withdraw"]
