-- Fill the demo tables of demo/schema.sql with generated, realistic rows.
--
--   psql -v posts=300000 -f demo/schema.sql -f demo/data.sql
--
-- The psql variable "posts" sets the number of blog posts (default 300000).
-- The other tables scale with it, with one author per 5 posts and one
-- product per 8 posts, and at least 100 of each.  A fixed random seed makes
-- every load produce the same rows, with dates relative to the time of the
-- load.  Post bodies are about 6 kB of prose built from a few hundred
-- generated paragraphs, so they compress like text does.

\if :{?posts}
\else
\set posts 300000
\endif

SELECT greatest(:posts / 5, 100) AS authors,
       greatest(:posts / 8, 100) AS products
\gset

SELECT setseed(0.4242);

-- Paragraphs of 80 to 120 words drawn from a small vocabulary, about 600
-- bytes each.
CREATE TEMPORARY TABLE demo_paragraphs AS
WITH vocabulary AS (
    SELECT string_to_array(
        'the a of and to in is that it for on with as was at by this from be or '
        'an are have not but we they you which one all their there when can more '
        'about so what some would up out if into time only other new could also '
        'after first two like just over how then most year make these way even '
        'because good well any very through back still where much work day long '
        'little world life last right place great small own show found people '
        'water city house garden coffee morning evening street market kitchen '
        'bread recipe journey mountain river bicycle train window light music '
        'book story friend family weekend season summer winter autumn spring '
        'project team design code server database query index table page '
        'customer order price shop product photo camera travel hotel museum '
        'walk trail forest ocean beach island village harbor bridge tower '
        'simple quiet bright careful honest patient curious useful practical '
        'slowly finally usually quickly together sometimes almost already '
        'learned noticed started finished tried changed built wrote read '
        'planted cooked visited measured fixed moved shared watched kept',
        ' ') AS words
)
SELECT p AS n,
       upper(left(t.text, 1)) || substr(t.text, 2) || '.' AS text
  FROM generate_series(0, 399) AS p
 CROSS JOIN vocabulary AS v
 CROSS JOIN LATERAL (
       SELECT string_agg(v.words[1 + floor(random() * cardinality(v.words))::int],
                         ' ' ORDER BY i) AS text
         FROM generate_series(1, 80 + (p * 7) % 41) AS i
     ) AS t;

-- 2,000 distinct bodies of ten paragraphs each (about 5 to 7 kB).
-- Posts share them: post N gets body N mod 2000.
CREATE TEMPORARY TABLE demo_bodies AS
SELECT b AS n,
       string_agg(par.text, E'\n\n' ORDER BY k) AS body,
       left(min(par.text) FILTER (WHERE k = 1), 240) AS first_paragraph
  FROM generate_series(0, 1999) AS b
 CROSS JOIN generate_series(1, 10) AS k
  JOIN demo_paragraphs AS par ON par.n = (b * 31 + k * 97 + (b / 400) * k) % 400
 GROUP BY b;

INSERT INTO authors (id, name, email, bio, avatar_url, created_at)
SELECT a,
       first_names[1 + a % 40] || ' ' || last_names[1 + (a / 40) % 40],
       'author' || a || '@example.com',
       'Writes about ' || topics[1 + a % 12] || ' and ' || topics[1 + (a / 12) % 12] || '.',
       'https://cdn.example.com/avatars/' || a || '.jpg',
       now() - interval '6 years' + (a::float8 / :authors) * interval '5 years'
  FROM generate_series(1, :authors) AS a,
       (SELECT
          '{Ada,Alan,Amara,Ben,Carmen,Chen,Dana,Diego,Elif,Emma,Farah,Felix,'
          'Grace,Hana,Ivan,Jonas,Kai,Lena,Leo,Maya,Mei,Nadia,Noah,Olga,Omar,'
          'Priya,Rosa,Sam,Sara,Tariq,Tess,Uma,Viktor,Wen,Yara,Yusuf,Zoe,Ines,'
          'Kofi,Lars}'::text[] AS first_names,
          '{Abbott,Baker,Costa,Dubois,Eriksen,Fischer,Garcia,Haddad,Ito,'
          'Jensen,Kowalski,Lopez,Moreau,Nakamura,Okafor,Petrov,Quinn,Rossi,'
          'Silva,Tanaka,Ueda,Varga,Walsh,Xu,Yilmaz,Zhang,Novak,Berg,Keller,'
          'Mendes,Rahman,Santos,Horvat,Lindqvist,Marsh,Osei,Park,Reyes,Sato,'
          'Weber}'::text[] AS last_names,
          '{cooking,travel,gardening,photography,databases,cycling,design,'
          'music,books,running,coffee,architecture}'::text[] AS topics) AS lists;

-- Posts were written over five years in id order, and 2 % of them are
-- unpublished drafts.  Authors differ in how much they write: author_id is
-- skewed towards low ids.
INSERT INTO blog_posts (id, author_id, title, slug, excerpt, body, image_url,
                        tags, published, view_count, created_at, updated_at)
SELECT g.id,
       g.author_id,
       g.title,
       lower(regexp_replace(g.title, '[^A-Za-z0-9]+', '-', 'g')) || '-' || g.id,
       b.first_paragraph || '...',
       b.body,
       'https://cdn.example.com/images/posts/' || g.id || '.jpg',
       ARRAY[topics[1 + g.id % 12], topics[1 + (g.id / 12) % 12]],
       random() >= 0.02,
       (random() * random() * 50000)::int,
       g.created_at,
       g.created_at + random() * interval '3 days'
  FROM (SELECT p AS id,
               1 + floor(:authors * random() ^ 2)::bigint AS author_id,
               openers[1 + p % 10] || ' ' || subjects[1 + (p / 10) % 24]
                 || suffixes[1 + (p / 240) % 6] AS title,
               now() - interval '5 years'
                 + (p::float8 / :posts) * interval '5 years'
                 - random() * interval '2 hours' AS created_at
          FROM generate_series(1, :posts) AS p,
               (SELECT
                  '{"How to start with","Why we moved to","Lessons from",'
                  '"A practical guide to","Notes on","The hidden cost of",'
                  '"Rethinking","Ten mistakes in","What I wish I knew about",'
                  '"A year of"}'::text[] AS openers,
                  '{"sourdough baking","trail running","indoor plants",'
                  '"home espresso","budget travel","urban cycling",'
                  '"film photography","remote teams","PostgreSQL indexes",'
                  '"small gardens","night trains","vegetable soups",'
                  '"mechanical keyboards","city museums","winter hiking",'
                  '"used bookshops","street food","learning the piano",'
                  '"tiny kitchens","open source","mountain huts",'
                  '"slow mornings","ceramics","bird watching"}'::text[] AS subjects,
                  '{"",": part 2"," on a budget"," for beginners",'
                  '" in practice"," revisited"}'::text[] AS suffixes) AS lists
       ) AS g
  JOIN demo_bodies AS b ON b.n = g.id % 2000,
       (SELECT
          '{cooking,travel,gardening,photography,databases,cycling,design,'
          'music,books,running,coffee,architecture}'::text[] AS topics) AS lists;

-- One product in a hundred is featured on the homepage.
INSERT INTO products (id, sku, name, category, description, price, stock,
                      image_url, featured, created_at)
SELECT p,
       'SKU-' || lpad(p::text, 8, '0'),
       adjectives[1 + p % 16] || ' ' || nouns[1 + (p / 16) % 20],
       categories[1 + (p / 16) % 20 / 4],
       par.text,
       round((5 + random() * 295)::numeric, 2),
       (random() * 200)::int,
       'https://cdn.example.com/images/products/' || p || '.jpg',
       p % 100 = 37,
       now() - interval '4 years' + (p::float8 / :products) * interval '4 years'
  FROM generate_series(1, :products) AS p
  JOIN demo_paragraphs AS par ON par.n = (p * 7) % 400,
       (SELECT
          '{Classic,Compact,Handmade,Organic,Vintage,Modern,Rustic,Travel,'
          'Deluxe,Everyday,Linen,Ceramic,Walnut,Recycled,Wool,Copper}'::text[] AS adjectives,
          '{"coffee grinder","pour-over kettle","espresso cups","tea tin",'
          '"notebook","fountain pen","desk lamp","bookend",'
          '"plant pot","watering can","garden gloves","seed box",'
          '"bike light","saddle bag","water bottle","rain jacket",'
          '"camera strap","film roll","photo album","lens cloth"}'::text[] AS nouns,
          '{kitchen,stationery,garden,cycling,photography}'::text[] AS categories) AS lists;
