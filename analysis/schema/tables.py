"""Every warehouse table and column, with its type, meaning and data tests: the one metadata source.

The DDL, the DuckDB ``COMMENT``s, the data dictionary (``analysis schema``, ``docs/schema.md``)
and the column lists every stage writes are all derived from :data:`TABLES`.
"""

from __future__ import annotations

from analysis.schema.model import DATE_SRC, DOC, END, PLACE_SRC, START, C, Table

TABLES: dict[str, Table] = {}


def _t(t: Table) -> None:
    TABLES[t.name] = t


LEVEL_SRC = ("Where the value came from: 'manifest', 'source_url' (the host of the manifest's source_url), "
             "'text:<evidence>' (issuer, inspected, committee, address, phone, domain, page, regulation; several "
             "joined with +, e.g. text:address+phone; analysis/data/place_evidence.csv) or NULL.")
LEVEL_CONF = ("Confidence of the value: that of the evidence deciding it (analysis/data/place_evidence.csv; the "
              "lowest of several pieces needed together, one step higher when two kinds each name it alone); "
              "'high' for manifest values; NULL without a value.")

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
    C("province_source", "VARCHAR", LEVEL_SRC),
    C("city", "VARCHAR", "Prefecture-level city; for 直辖市 the municipality itself."),
    C("city_source", "VARCHAR", LEVEL_SRC),
    C("district", "VARCHAR", "County-level division (区/县/县级市)."),
    C("district_source", "VARCHAR", LEVEL_SRC),
    C("province_confidence", "VARCHAR", LEVEL_CONF, accepted=("high", "medium", "low")),
    C("city_confidence", "VARCHAR", LEVEL_CONF, accepted=("high", "medium", "low")),
    C("district_confidence", "VARCHAR", LEVEL_CONF, accepted=("high", "medium", "low")),
    C("place_conflict", "BOOLEAN", "True when a piece of place evidence contradicted the evidence weighed "
      "before it and was ignored (the parse warning names it).", True),
    C("inspection_round", "VARCHAR", "Inspection round as written, e.g. 三届区委第十五轮."),
    C("inspection_group", "INTEGER", "Number of the inspection group (巡察组)."),
    C("inspection_group_source", "VARCHAR", DATE_SRC),
    C("inspection_start", "DATE", "First day of the inspection."),
    C("inspection_start_source", "VARCHAR", DATE_SRC),
    C("inspection_end", "DATE", "Last day of the inspection."),
    C("inspection_end_source", "VARCHAR", DATE_SRC),
    C("feedback_date", "DATE", "Day the inspection group fed back its findings."),
    C("feedback_date_source", "VARCHAR", DATE_SRC),
    C("publish_date", "DATE", "Day the notice was published (signature date, else a dateline under the title, "
      "else the page's 发布日期/发布时间 or leading time stamp)."),
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

_t(Table("discipline_actions", "Every disciplinary action a notice reports, with its count (NULL when the notice "
         "gives none), its place in the hierarchy of totals and components, its sentence and offsets.", (
    DOC,
    C("row_no", "INTEGER", "1-based within the document.", True),
    C("action", "VARCHAR", "Canonical action (data/discipline_actions.csv).", True),
    C("action_group", "VARCHAR", "Group of the action (党纪处分, 政务处分, 组织处理, 诫勉, 立案…; "
      "data/discipline_groups.csv).", True),
    C("level", "VARCHAR", "group = the action states its group's total (党纪处分, 政务处分, 诫勉谈话); component = "
      "one sanction of a group (党内警告, 记过, 免职…); total = a total over groups (党纪政务处分, 问责, 四种形态).",
      True, accepted=("total", "group", "component")),
    C("measure", "VARCHAR", "What the count is of; counts of different measures are never added: sanction "
      "(people given a sanction or treatment), case_filed (立案), case_closed (了结), investigation (审查调查), "
      "judicial_transfer (移送司法), inquiry (函询), referral (移交纪检监察机关), card (预警卡), four_forms "
      "(the notice's own tally by 四种形态).", True,
      accepted=("sanction", "case_filed", "case_closed", "investigation", "judicial_transfer", "inquiry",
                "referral", "card", "four_forms")),
    C("form", "INTEGER", "Form of oversight in 监督执纪“四种形态” (1–4), NULL when not applicable.",
      accepted=(1, 2, 3, 4)),
    C("action_raw", "VARCHAR", "The action as written.", True),
    C("count", "INTEGER", "Count as stated or as named (对王某… = 1); 0 when the notice states 0; NULL when the "
      "notice does not say how many (给予党内警告处分, 对相关责任人立案审查): never summed, never read as 1."),
    C("count_stated", "BOOLEAN", "The number is written (诫勉谈话5人, 2名干部); false when counted from named "
      "people or when count is NULL.", True),
    C("unit", "VARCHAR", "Unit as written (人, 人次, 名, 件, 起, 张…); for a NULL count, the action's usual unit."),
    C("unit_kind", "VARCHAR", "What the unit counts (data/discipline_units.csv): people (人, 名, 位, 人次), cases, "
      "cards, organisations, documents, times.", True),
    C("scope", "VARCHAR", "summary = a total the notice states; mention = one action in the body.", True,
      accepted=("summary", "mention")),
    C("target", "VARCHAR", "Who, when stated (主要负责人, 社区班子成员…)."),
    C("parent", "INTEGER", "row_no of the row whose count holds this one (see relation); a row never adds to its "
      "parent's count."),
    C("relation", "VARCHAR", "How the row stands to its parent: breakdown = a component in the same sentence "
      "(brackets, 其中, a following list); part = a component or mention of a total stated elsewhere in the notice; "
      "repeat = the same named people again. NULL for a top row.", accepted=("breakdown", "part", "repeat")),
    C("tally", "INTEGER", "What the row adds when each person (case, card) is counted once: its count minus its "
      "parts' counts; 0 when a stated total holds it, when it repeats people already counted, or when its parts "
      "exceed its parent (the parent's total is counted, see parse_warnings); NULL when its count is NULL and no "
      "stated total holds it. sum(tally) over a notice counts everyone once (per measure and unit)."),
    C("tally_unit", "VARCHAR", "Unit of tally: the unit of the stated total that holds the row (名 and 位 read as "
      "人).", True),
    C("basis", "VARCHAR", "What the tally rests on: stated_total (a group total the notice states), "
      "sum_of_components (stated components, no stated group total), sum_of_mentions (counted from the body).",
      accepted=("stated_total", "sum_of_components", "sum_of_mentions")),
    C("problem_no", "INTEGER", "Problem the sentence is in, if any."),
    C("sentence", "VARCHAR", "The sentence; equals the text at char_start..char_end.", True),
    START, END,
    C("match_start", "INTEGER", "Start offset of the matched count phrase."),
    C("match_end", "INTEGER", "End offset of the matched count phrase."),
), key=("doc_id", "row_no"), stage="extract"))

_t(Table("stated_figures", "Totals a notice states that are not discipline, by meaning (areas, problems, "
         "measures and tasks with their completion states, units inspected by kind, funds in yuan by kind, "
         "rates, institutions…).", (
    DOC,
    C("row_no", "INTEGER", "1-based within the document.", True),
    C("figure", "VARCHAR", "Canonical figure key (problems_reported, measures_completed, problems_not_completed, "
      "villages_inspected, funds_loss_recovered…); the header of analysis/data/stated_figures.csv lists every "
      "key with its meaning.", True),
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

TOKEN_KINDS = ("content", "function", "formulaic", "place", "organisation", "person", "number", "date",
               "placeholder", "punctuation")
UNIT_KIND = C("unit_kind", "VARCHAR", "problem, measure or section.", True, accepted=("problem", "measure", "section"))
UNIT_NO = C("unit_no", "INTEGER", "problem_no for problems, problem_no*1000+measure_no for measures, section_id for "
            "sections.", True)

_t(Table("tokens", "Lexicon-aware segmentation (jieba dictionary + analysis/data/lexicon.txt) of every unit, place "
         "and organisation names kept whole (analysis.tokens.names), each token with its kind.", (
    DOC, UNIT_KIND, UNIT_NO,
    C("position", "INTEGER", "0-based token position within the unit.", True),
    C("token", "VARCHAR", "The token.", True),
    C("pos", "VARCHAR", "Part-of-speech tag from the segmenter's dictionary (NULL when unknown)."),
    C("kind", "VARCHAR", "What the token is (analysis.tokens.kinds): content word, function word, formulaic "
      "phrase, place/organisation/person name, number, date, placeholder or punctuation. Comparisons use "
      "content words by default.", True, accepted=TOKEN_KINDS),
    C("named", "BOOLEAN", "True when the name lexicon (analysis.tokens.names) made this token: jieba's tokens "
      "merged into a place, organisation or person name, or retagged as one.", True),
), key=("doc_id", "unit_kind", "unit_no", "position"), stage="segment"))

_t(Table("vocabulary", "Token frequencies over the corpus.", (
    C("token", "VARCHAR", "The token.", True),
    C("freq", "BIGINT", "Occurrences.", True),
    C("doc_freq", "BIGINT", "Documents containing it.", True),
    C("unit_freq", "BIGINT", "Units containing it.", True),
    C("kind", "VARCHAR", "The token's most frequent kind in tokens (ties: the first in the kind list).",
      accepted=TOKEN_KINDS),
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

_t(Table("keyness", "Measure vocabulary (content words by default) of each district against all other districts "
         "(or a chosen reference district): log-likelihood G², log ratio, Benjamini–Hochberg adjusted p, document "
         "frequencies and the typical-term rule.", (
    C("group", "VARCHAR", "District (target corpus).", True), C("token", "VARCHAR", "Token.", True),
    C("reference", "VARCHAR", "Reference corpus: '(rest)' = all other districts, else the reference district.", True),
    C("kind", "VARCHAR", "Token kind (see tokens.kind).", accepted=TOKEN_KINDS),
    C("count_target", "BIGINT", "Occurrences in the district."), C("count_reference", "BIGINT", "Elsewhere."),
    C("docs_target", "BIGINT", "Notices of the district using the token."),
    C("docs_reference", "BIGINT", "Notices of the reference using the token."),
    C("n_docs_target", "BIGINT", "Notices of the district (with tokens of the compared unit kind)."),
    C("single_notice", "BOOLEAN", "The district has only one notice: its terms are one notice's, not typical."),
    C("typical", "BOOLEAN", "Over-used (direction over, p_adj < 0.05) and used in at least min_docs (2) of the "
      "district's notices."),
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

_t(Table("search_index", "Problems, measures and every other sentence of the notices (overview, summaries, "
         "leads, next steps) with their tokens, for BM25 full-text search (macro search_units(q), command "
         "analysis search).", (
    C("unit_id", "INTEGER", "Row id of the unit in the search tables.", True),
    DOC,
    C("unit_kind", "VARCHAR", "problem, measure, or sentence (a sentence outside the measures that does not "
      "repeat its problem's heading or finding).", True, accepted=("problem", "measure", "sentence")),
    C("problem_no", "INTEGER", "Problem number; for a sentence the problem whose span holds it, 0 outside every "
      "problem.", True),
    C("measure_no", "INTEGER", "Measure number (NULL for problems and sentences)."),
    C("unit_no", "INTEGER", "problem_no, or problem_no*1000+measure_no for measures (as in tokens); for a "
      "sentence its 1-based number among the sentences of documents.text.", True),
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

_t(Table("collocations", "Bigram and window collocations of content words (tokens of problems and measures) for "
         "the corpus and per group, with log-likelihood and PMI (analysis.compare.collocations).", (
    C("scope", "VARCHAR", "corpus = the whole corpus; group = within one group (document_groups).", True,
      accepted=("corpus", "group")),
    C("group", "VARCHAR", "The group (district, else unit, else file); NULL for scope corpus."),
    C("method", "VARCHAR", "bigram = adjacent tokens (ordered); window = within window positions (unordered, "
      "term1 < term2).", True, accepted=("bigram", "window")),
    C("window", "INTEGER", "Largest distance in token positions (1 for bigrams).", True),
    C("term1", "VARCHAR", "First token (for bigrams the left one).", True),
    C("term2", "VARCHAR", "Second token.", True),
    C("count", "BIGINT", "O11: occurrences of the pair in the scope.", True),
    C("count1", "BIGINT", "Pairs with term1 first (row total of the 2×2 table).", True),
    C("count2", "BIGINT", "Pairs with term2 second (column total).", True),
    C("n_pairs", "BIGINT", "N: all pairs counted in the scope.", True),
    C("expected", "DOUBLE", "E11 = count1 · count2 / n_pairs."),
    C("pmi", "DOUBLE", "Pointwise mutual information log2(O11 / E11) (Church & Hanks 1990)."),
    C("g2", "DOUBLE", "Log-likelihood G² of the 2×2 table (Dunning 1993)."),
    C("p_value", "DOUBLE", "p from chi-square with 1 df."),
    C("rank", "INTEGER", "Rank by G² within scope, group and method (1 = strongest).", True),
), stage="compare"))

_t(Table("topics", "NMF topics of the content words of problems and measures, k chosen by NPMI coherence "
         "(analysis.compare.topics).", (
    C("topic", "INTEGER", "Topic number (1..k).", True),
    C("k", "INTEGER", "Number of topics of the chosen model.", True),
    C("label", "VARCHAR", "The topic's top terms joined by ·.", True),
    C("coherence", "DOUBLE", "Mean NPMI of the pairs of its top terms, on unit co-occurrence (−1..1)."),
    C("share", "DOUBLE", "Share of the corpus's topic weight (sum of W over all units)."),
), key=("topic",), stage="compare"))

_t(Table("topic_terms", "Top terms of each topic with their NMF weight.", (
    C("topic", "INTEGER", "Topic.", True, references="topics.topic"),
    C("rank", "INTEGER", "Rank of the term in the topic (1 = heaviest).", True),
    C("term", "VARCHAR", "Term.", True),
    C("weight", "DOUBLE", "Weight of the term in the topic (row of H)."),
), key=("topic", "rank"), stage="compare"))

_t(Table("document_topics", "Topic shares of each notice: the sum of its units' topic weights, normalised to 1.", (
    DOC,
    C("topic", "INTEGER", "Topic.", True, references="topics.topic"),
    C("share", "DOUBLE", "Share of the notice's topic weight (NULL when none of its units has a term of the model)."),
), key=("doc_id", "topic"), stage="compare"))

_t(Table("analysis_runs", "Parameters that produced each comparison table.", (
    C("stage", "VARCHAR", "Stage / table.", True), C("parameters", "VARCHAR", "Parameters as JSON.", True),
    C("description", "VARCHAR", "What the comparison is, with its method reference."),
), key=("stage",), stage="compare"))

