"""Every warehouse table and column, with its type, meaning and data tests: the one metadata source.

The DDL, the DuckDB ``COMMENT``s, the data dictionary (``analysis schema``, ``docs/schema.md``)
and the column lists every stage writes are all derived from :data:`TABLES`.
"""

from __future__ import annotations

from analysis.schema.model import DATE_SRC, DOC, END, PLACE_SRC, START, C, Table

TABLES: dict[str, Table] = {}


def _t(t: Table) -> None:
    TABLES[t.name] = t


_t(Table("documents", "One row per notice: provenance, metadata read from the manifest or the text, and the "
         "stored normalised text on which every offset in the warehouse is defined.", (
    C("doc_id", "VARCHAR", "Document id: first 16 hex digits of the SHA-256 of the file's bytes (stable across "
      "rebuilds and renames).", True),
    C("source_file", "VARCHAR", "Path of the file relative to corpus/.", True),
    C("sha256", "VARCHAR", "SHA-256 of the file's bytes.", True),
    C("format", "VARCHAR", "File format.", True, accepted=("txt", "text", "html", "htm", "docx")),
    C("encoding", "VARCHAR", "Encoding the bytes were decoded with (detected, never assumed).", True),
    C("title", "VARCHAR", "Title line(s) of the notice, NULL when it has none."),
    C("issuer", "VARCHAR", "Issuing organisation (short form)."),
    C("unit", "VARCHAR", "Inspected unit (street, township, bureau…)."),
    C("unit_source", "VARCHAR", PLACE_SRC),
    C("unit_type", "VARCHAR", "Kind of unit.", accepted=("street", "township", "town", "community", "village",
                                                         "bureau", "department", "company", "school", "hospital",
                                                         "other")),
    C("unit_type_source", "VARCHAR", PLACE_SRC),
    C("province", "VARCHAR", "Province-level division (省/自治区/直辖市)."),
    C("province_source", "VARCHAR", PLACE_SRC),
    C("city", "VARCHAR", "Prefecture-level city; for 直辖市 the municipality itself."),
    C("city_source", "VARCHAR", PLACE_SRC),
    C("district", "VARCHAR", "County-level division (区/县/县级市)."),
    C("district_source", "VARCHAR", PLACE_SRC),
    C("inspection_round", "VARCHAR", "Inspection round as written, e.g. 三届区委第十五轮."),
    C("inspection_group", "INTEGER", "Number of the inspection group (巡察组)."),
    C("inspection_group_source", "VARCHAR", DATE_SRC),
    C("inspection_start", "DATE", "First day of the inspection."),
    C("inspection_start_source", "VARCHAR", DATE_SRC),
    C("inspection_end", "DATE", "Last day of the inspection."),
    C("inspection_end_source", "VARCHAR", DATE_SRC),
    C("feedback_date", "DATE", "Day the inspection group fed back its findings."),
    C("feedback_date_source", "VARCHAR", DATE_SRC),
    C("publish_date", "DATE", "Day the notice was published (signature date or page furniture)."),
    C("publish_date_source", "VARCHAR", DATE_SRC),
    C("inspection_year", "INTEGER", "Year of the inspection."),
    C("inspection_year_source", "VARCHAR", DATE_SRC),
    C("anonymized", "BOOLEAN", "True for templates with X placeholders; placeholders are never read as "
      "numbers, dates or places.", True),
    C("problems_stated", "INTEGER", "Number of problems the notice says were fed back (反馈问题N个)."),
    C("problems_found", "INTEGER", "Number of problems the parser enumerated.", True),
    C("measures_found", "INTEGER", "Number of measures the parser enumerated.", True),
    C("source_url", "VARCHAR", "Where the notice was retrieved (manifest)."),
    C("retrieved_on", "VARCHAR", "When it was retrieved (manifest)."),
    C("notes", "VARCHAR", "Researcher's notes (manifest)."),
    C("n_chars", "INTEGER", "Length of the normalised text in characters.", True),
    C("n_dropped_chars", "INTEGER", "Characters of conversion debris removed by normalisation.", True),
    C("text", "VARCHAR", "Normalised text; all offsets index this.", True),
    C("raw_text", "VARCHAR", "Text as decoded from the file, before normalisation.", True),
    C("fingerprint", "VARCHAR", "Hash of file bytes, manifest row and pipeline version; unchanged documents are "
      "reused by incremental builds.", True),
    C("content_key", "VARCHAR", "Hash of the normalised text without whitespace: the same notice in another "
      "encoding, line ending or format has the same key, and only the first of its files (in path order) "
      "is loaded; the others are listed in load_issues as duplicates.", True),
), key=("doc_id",), stage="ingest"))

_t(Table("sections", "Outline of each notice: top-level parts and the headings under them that are not "
         "problems or measures.", (
    DOC,
    C("section_id", "INTEGER", "1-based id within the document.", True),
    C("parent_id", "INTEGER", "section_id of the enclosing section, NULL at top level."),
    C("level", "INTEGER", "Depth, 1 = top level.", True),
    C("kind", "VARCHAR", "What the part is.", True,
      accepted=("overview", "rectification", "next_steps", "contact", "other")),
    C("marker", "VARCHAR", "Outline marker as written (一、, （一）, 1.), NULL for unnumbered parts."),
    C("heading", "VARCHAR", "Heading text without its marker, NULL for unheaded parts."),
    START, END,
), key=("doc_id", "section_id"), stage="parse"))

_t(Table("problems", "Leaf problems a notice enumerates, in order, with their area and rectification text.", (
    DOC,
    C("problem_no", "INTEGER", "1-based order within the notice.", True),
    C("marker", "VARCHAR", "The problem's own marker as written ((1), 问题3, 一、…)."),
    C("area", "VARCHAR", "Heading of the enclosing problem area, NULL when the notice has none."),
    C("sub_area", "VARCHAR", "Heading of the enclosing sub-area, if any."),
    C("heading", "VARCHAR", "Problem statement: the quoted text in 针对/关于“…”问题 when quoted, else the heading.",
      True),
    C("finding", "VARCHAR", "The inspectors' description of the problem when the notice gives one (问题N: …)."),
    C("rectification_text", "VARCHAR", "Everything under the problem after its heading."),
    START, END,
), key=("doc_id", "problem_no"), stage="parse"))

_t(Table("measures", "Rectification measures listed under each problem.", (
    DOC,
    C("problem_no", "INTEGER", "Problem the measure belongs to.", True, references="problems.problem_no"),
    C("measure_no", "INTEGER", "1-based order within the problem.", True),
    C("marker", "VARCHAR", "一是, （一）, 1. …; NULL for an undivided passage or a paragraph under 整改情况."),
    C("text", "VARCHAR", "The measure's text.", True),
    START, END,
    C("has_number", "BOOLEAN", "Contains a digit.", True),
    C("has_date_or_deadline", "BOOLEAN", "Names a date, period or deadline (年/月/日, 年底, 限期…; "
      "analysis.genre.dates); true exactly when measure_specificity.n_dates > 0.", True),
    C("cites_document", "BOOLEAN", "Cites a document in 《…》 (1–100 characters on one line, analysis.genre.titles); "
      "true exactly when measure_specificity.n_documents > 0.", True),
    C("n_chars", "INTEGER", "Length in characters.", True),
), key=("doc_id", "problem_no", "measure_no"), stage="parse"))

_t(Table("parse_warnings", "What the parser had to recover or could not read, with where.", (
    DOC,
    C("warning_no", "INTEGER", "1-based within the document.", True),
    C("stage", "VARCHAR", "Stage that raised it.", True, accepted=("ingest", "normalize", "metadata", "parse",
                                                                    "extract")),
    C("kind", "VARCHAR", "Short code (damaged_marker, lost_ordinal, recovered_date…).", True),
    C("message", "VARCHAR", "Human-readable explanation.", True),
    C("char_start", "INTEGER", "Start offset of the text concerned, if any."),
    C("char_end", "INTEGER", "End offset, if any."),
), key=("doc_id", "warning_no"), stage="parse"))

_t(Table("load_issues", "Files that did not load (or loaded with a problem), one line each.", (
    C("source_file", "VARCHAR", "Path relative to corpus/.", True),
    C("severity", "VARCHAR", "error = not loaded; duplicate = same content as another file; warning = loaded.",
      True, accepted=("error", "duplicate", "warning")),
    C("reason", "VARCHAR", "What went wrong.", True),
    C("doc_id", "VARCHAR", "The document it concerns, when one exists."),
), stage="ingest"))

_t(Table("corpus_files", "Every file of corpus/ at the last build with its size and modification time, so an "
         "incremental build reads only files that changed.", (
    C("source_file", "VARCHAR", "Path relative to corpus/.", True),
    C("size_bytes", "BIGINT", "File size when last read.", True),
    C("mtime_ns", "BIGINT", "Modification time (ns since the epoch) when last read.", True),
    C("ctime_ns", "BIGINT", "Status-change time (ns since the epoch) when last read: any rewrite changes it, even "
      "one that restores the modification time.", True),
    C("sha256", "VARCHAR", "SHA-256 of the bytes (NULL when the file could not be read)."),
    C("doc_id", "VARCHAR", "Document the file loaded as (for a duplicate, the document it duplicates); NULL when "
      "it did not load."),
), key=("source_file",), stage="ingest"))

_t(Table("discipline_actions", "Every stated disciplinary count, with its sentence and offsets.", (
    DOC,
    C("row_no", "INTEGER", "1-based within the document.", True),
    C("action", "VARCHAR", "Canonical action (data/discipline_actions.csv).", True),
    C("action_group", "VARCHAR", "Group of the action (党纪处分, 政务处分, 组织处理…).", True),
    C("form", "INTEGER", "Form of oversight in 监督执纪“四种形态” (1–4), NULL when not applicable.",
      accepted=(1, 2, 3, 4)),
    C("action_raw", "VARCHAR", "The action as written.", True),
    C("count", "INTEGER", "Stated count (0 when the notice states 0).", True),
    C("unit", "VARCHAR", "Unit as written (人, 人次, 名, 件, 起, 张, 项…)."),
    C("scope", "VARCHAR", "summary = a total the notice states; mention = one action in the body.", True,
      accepted=("summary", "mention")),
    C("target", "VARCHAR", "Who, when stated (主要负责人, 社区班子成员…)."),
    C("parent", "INTEGER", "row_no of the total this row breaks down; children never add to totals."),
    C("problem_no", "INTEGER", "Problem the sentence is in, if any."),
    C("sentence", "VARCHAR", "The sentence; equals the text at char_start..char_end.", True),
    START, END,
    C("match_start", "INTEGER", "Start offset of the matched count phrase."),
    C("match_end", "INTEGER", "End offset of the matched count phrase."),
), key=("doc_id", "row_no"), stage="extract"))

_t(Table("stated_figures", "Totals a notice states that are not discipline (problems, measures, institutions, "
         "funds in yuan, rates…).", (
    DOC,
    C("row_no", "INTEGER", "1-based within the document.", True),
    C("figure", "VARCHAR", "Canonical figure key (problems_reported, funds_recovered…).", True),
    C("label", "VARCHAR", "The phrase as written."),
    C("value", "DOUBLE", "Value; money normalised to yuan, rates in percent."),
    C("unit", "VARCHAR", "Normalised unit (元, %, 个, 项…)."),
    C("raw_value", "VARCHAR", "Number as written."),
    C("raw_unit", "VARCHAR", "Unit as written (万元…)."),
    C("problem_no", "INTEGER", "Problem the sentence is in, if any."),
    C("sentence", "VARCHAR", "The sentence; equals the text at char_start..char_end.", True),
    START, END,
), key=("doc_id", "row_no"), stage="extract"))

_t(Table("build_info", "How and from what the warehouse was built.", (
    C("key", "VARCHAR", "Setting.", True),
    C("value", "VARCHAR", "Value.", True),
), key=("key",), stage="warehouse"))


_t(Table("parse_coverage", "Per document: rectification-section characters and the share inside problems.", (
    DOC,
    C("rect_chars", "INTEGER", "Non-space characters of the rectification section after its heading and lead.",
      True),
    C("lead_chars", "INTEGER", "Non-space characters of the section's heading and lead paragraph.", True),
    C("coverage", "DOUBLE", "Share of rect_chars inside a problem (with its measures) or an area heading."),
), key=("doc_id",), stage="parse"))



# ---------------------------------------------------------------- corpus-wide comparison tables (issue: tokens and comparisons)

UNIT_KIND = C("unit_kind", "VARCHAR", "problem, measure or section.", True, accepted=("problem", "measure", "section"))
UNIT_NO = C("unit_no", "INTEGER", "problem_no for problems, problem_no*1000+measure_no for measures, section_id for "
            "sections.", True)

_t(Table("tokens", "Lexicon-aware segmentation (jieba dictionary + analysis/data/lexicon.txt) of every unit.", (
    DOC, UNIT_KIND, UNIT_NO,
    C("position", "INTEGER", "0-based token position within the unit.", True),
    C("token", "VARCHAR", "The token.", True),
    C("pos", "VARCHAR", "Part-of-speech tag from the segmenter's dictionary (NULL when unknown)."),
), key=("doc_id", "unit_kind", "unit_no", "position"), stage="segment"))

_t(Table("vocabulary", "Token frequencies over the corpus.", (
    C("token", "VARCHAR", "The token.", True),
    C("freq", "BIGINT", "Occurrences.", True),
    C("doc_freq", "BIGINT", "Documents containing it.", True),
    C("unit_freq", "BIGINT", "Units containing it.", True),
), key=("token",), stage="segment"))

_t(Table("problem_categories", "Category of every problem in the standard inspection framework "
         "(analysis/data/categories.json), with the rule that fired.", (
    DOC, C("problem_no", "INTEGER", "Problem.", True),
    C("category", "VARCHAR", "Category (党的领导, 全面从严治党, 党的建设, 意识形态, 巡察整改落实…).", True),
    C("sub_category", "VARCHAR", "Sub-category (廉政, 作风, 组织建设…)."),
    C("rule", "VARCHAR", "Which rule assigned it.", True, accepted=("area", "keyword", "centroid", "default")),
    C("confidence", "DOUBLE", "Confidence in [0, 1].", True),
), key=("doc_id", "problem_no"), stage="compare"))

_t(Table("cluster_runs", "TF-IDF k-means runs: one row per k tried, with the silhouette and parameters.", (
    C("run_id", "VARCHAR", "Run id (unit kind and a hash of the parameters); one row per k tried.", True),
    C("unit_kind", "VARCHAR", "Units clustered.", True),
    C("k", "INTEGER", "Number of clusters.", True),
    C("silhouette", "DOUBLE", "Mean silhouette (cosine; sampled on large corpora)."),
    C("chosen", "BOOLEAN", "True for the k with the best silhouette.", True),
    C("params", "VARCHAR", "Parameters as JSON (seed, min_df, stopwords, sample size…).", True),
), key=("run_id", "k"), stage="compare"))

_t(Table("clusters", "Unit → cluster for every run.", (
    C("run_id", "VARCHAR", "Run.", True), DOC, UNIT_KIND, UNIT_NO,
    C("cluster", "INTEGER", "Cluster number.", True),
    C("distance", "DOUBLE", "Distance to the cluster centroid (smaller = more representative)."),
), stage="compare"))

_t(Table("cluster_terms", "Top TF-IDF terms of each cluster and the label built from them.", (
    C("run_id", "VARCHAR", "Run.", True), C("cluster", "INTEGER", "Cluster.", True),
    C("rank", "INTEGER", "Rank of the term.", True), C("term", "VARCHAR", "Term.", True),
    C("weight", "DOUBLE", "Mean TF-IDF weight in the cluster."), C("label", "VARCHAR", "Cluster label."),
), stage="compare"))

_t(Table("district_similarity", "Cosine similarity between districts' TF-IDF profiles of their measures, with a "
         "hierarchical (average-linkage) leaf order.", (
    C("group_a", "VARCHAR", "District (or unit when the district is unknown).", True),
    C("group_b", "VARCHAR", "District.", True), C("cosine", "DOUBLE", "Cosine similarity."),
    C("order_a", "INTEGER", "Leaf order of group_a."), C("order_b", "INTEGER", "Leaf order of group_b."),
), stage="compare"))

_t(Table("keyness", "Measure vocabulary of each district against all other districts: log-likelihood G², log "
         "ratio, Benjamini–Hochberg adjusted p.", (
    C("group", "VARCHAR", "District (target corpus).", True), C("token", "VARCHAR", "Token.", True),
    C("count_target", "BIGINT", "Occurrences in the district."), C("count_reference", "BIGINT", "Elsewhere."),
    C("per10k_target", "DOUBLE", "Per 10,000 tokens in the district."),
    C("per10k_reference", "DOUBLE", "Per 10,000 tokens elsewhere."),
    C("g2", "DOUBLE", "Log-likelihood G² (Dunning 1993; Rayson & Garside 2000)."),
    C("log_ratio", "DOUBLE", "Effect size: log2 of the ratio of relative frequencies (Hardie 2014)."),
    C("p_value", "DOUBLE", "p from chi-square with 1 df."), C("p_adj", "DOUBLE", "Benjamini–Hochberg adjusted p."),
    C("direction", "VARCHAR", "over or under-used in the district."),
), stage="compare"))

_t(Table("boilerplate", "Per notice: share of its sentences that also occur (near-duplicates, MinHash LSH) in notices "
         "of other districts.", (
    DOC, C("n_sentences", "INTEGER", "Sentences.", True), C("n_shared", "INTEGER", "Shared with other districts.", True),
    C("share", "DOUBLE", "n_shared / n_sentences."),
), key=("doc_id",), stage="compare"))

_t(Table("boilerplate_formulas", "The most repeated formulas across notices.", (
    C("formula", "VARCHAR", "A representative sentence.", True), C("n_docs", "INTEGER", "Notices using it.", True),
    C("n_groups", "INTEGER", "Districts using it.", True),
), stage="compare"))

_t(Table("measure_specificity", "Per measure: concrete markers against generic intensifiers, and a specificity score.", (
    DOC, C("problem_no", "INTEGER", "Problem.", True), C("measure_no", "INTEGER", "Measure.", True),
    C("n_chars", "INTEGER", "Length."), C("n_numbers", "INTEGER", "Numbers."), C("n_dates", "INTEGER", "Dates/deadlines (analysis.genre.dates)."),
    C("n_units", "INTEGER", "Named responsible units."), C("n_documents", "INTEGER", "Cited documents 《…》 (analysis.genre.titles)."),
    C("n_money", "INTEGER", "Amounts of money."), C("n_intensifiers", "INTEGER", "Generic intensifiers (进一步, 切实…)."),
    C("score", "DOUBLE", "(concrete − generic) / (concrete + generic + 1), in (−1, 1)."),
), key=("doc_id", "problem_no", "measure_no"), stage="compare"))

_t(Table("search_index", "Problems and measures with their tokens, for BM25 full-text search (macro "
         "search_units(q), command analysis search).", (
    C("unit_id", "INTEGER", "Row id of the unit in the search tables.", True),
    DOC,
    C("unit_kind", "VARCHAR", "problem or measure.", True, accepted=("problem", "measure")),
    C("problem_no", "INTEGER", "Problem number.", True),
    C("measure_no", "INTEGER", "Measure number (NULL for problems)."),
    C("unit_no", "INTEGER", "problem_no, or problem_no*1000+measure_no for measures (as in tokens).", True),
    C("text", "VARCHAR", "Text of the unit."),
    C("char_start", "INTEGER", "Start offset in documents.text."),
    C("char_end", "INTEGER", "End offset in documents.text."),
    C("tokens", "VARCHAR", "Lexicon tokens joined by spaces (what search covers).", True),
    C("n_terms", "INTEGER", "Number of search terms in the unit (BM25 document length).", True),
), key=("unit_id",), stage="compare"))

_t(Table("search_terms", "Term frequencies of each unit of search_index: the postings BM25 scores from.", (
    C("unit_id", "INTEGER", "Unit (search_index.unit_id).", True, references="search_index.unit_id"),
    DOC,
    C("term", "VARCHAR", "Term: a token lower-cased, digits and ASCII punctuation removed (as DuckDB's fts "
      "extension tokenises).", True),
    C("tf", "INTEGER", "Occurrences of the term in the unit.", True),
), key=("unit_id", "term"), stage="compare"))

_t(Table("analysis_runs", "Parameters that produced each comparison table.", (
    C("stage", "VARCHAR", "Stage / table.", True), C("parameters", "VARCHAR", "Parameters as JSON.", True),
    C("description", "VARCHAR", "What the comparison is, with its method reference."),
), key=("stage",), stage="compare"))

