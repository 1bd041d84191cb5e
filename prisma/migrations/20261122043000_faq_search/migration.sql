-- FAQ retrieval through indexes (issue #5). The bot used to fold and score every FAQ of a point
-- per question. Now Postgres keeps the folded search text and its tsvector in stored generated
-- columns, GIN indexes find a few candidates, and only those are scored.

-- Composite indexes (point id + text) need btree_gin / btree_gist for the uuid column.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- unaccent() is only STABLE (it finds its dictionary through search_path), so it cannot be used in
-- a generated column or an index as is. This wrapper pins the dictionary and its own search_path
-- to the schema this migration runs in (where the unaccent extension was created), so its result
-- depends on the input only, and it is declared IMMUTABLE for that reason.
CREATE OR REPLACE FUNCTION faq_fold(input text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  SET search_path FROM CURRENT
  AS $$ SELECT unaccent('unaccent'::regdictionary, lower(input)) $$;

-- What the bot matches a question against: the question and its keywords, folded.
CREATE OR REPLACE FUNCTION faq_search_text(question text, keywords text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT faq_fold(question || ' ' || coalesce(array_to_string(keywords, ' '), '')) $$;

-- AlterTable
ALTER TABLE "Faq"
  ADD COLUMN "searchText" TEXT
    GENERATED ALWAYS AS (faq_search_text("question", "keywords")) STORED,
  ADD COLUMN "searchVector" tsvector
    GENERATED ALWAYS AS (
      to_tsvector('spanish'::regconfig, faq_search_text("question", "keywords"))
      || to_tsvector('english'::regconfig, faq_search_text("question", "keywords"))
    ) STORED;

-- CreateIndex
-- GiST, not GIN: the bot asks for the nearest FAQs by word similarity (ORDER BY "searchText" <->> q
-- LIMIT n), which only a GiST trigram index returns in order, so the scan stops after n rows
-- whatever the number of FAQs of the point. A GIN %> filter has to be costed by the planner, and
-- with all FAQs in one point it preferred the point btree and ran word_similarity on every row.
-- siglen=256 (bytes, default 12): the folded texts have ~70 trigrams, which saturate the default
-- signature of the inner pages and make the scan visit most of the index.
CREATE INDEX "Faq_servicePointId_searchText_idx" ON "Faq" USING GIST ("servicePointId", "searchText" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Faq_servicePointId_searchVector_idx" ON "Faq" USING GIN ("servicePointId", "searchVector");
