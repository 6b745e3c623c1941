-- Table 三 selection as an index-only scan: the kind and outcome ride along (INCLUDE).
DROP INDEX applications_year;
CREATE INDEX applications_year ON applications(organ, received, concluded) INCLUDE (id, applicant_kind, outcome);
