-- The demo application's tables: a blog with a small shop.
--
-- Each table has its primary key and nothing else, as an application's
-- first migration often does; the queries in demo/workload/ need more.

CREATE TABLE authors (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL,
    bio text,
    avatar_url text,
    created_at timestamptz NOT NULL
);

CREATE TABLE blog_posts (
    id bigint PRIMARY KEY,
    author_id bigint NOT NULL,
    title text NOT NULL,
    slug text NOT NULL,
    excerpt text NOT NULL,
    body text NOT NULL,
    image_url text,
    tags text[] NOT NULL DEFAULT '{}',
    published boolean NOT NULL DEFAULT false,
    view_count integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE products (
    id bigint PRIMARY KEY,
    sku text NOT NULL,
    name text NOT NULL,
    category text NOT NULL,
    description text NOT NULL,
    price numeric(10, 2) NOT NULL,
    stock integer NOT NULL,
    image_url text,
    featured boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL
);
