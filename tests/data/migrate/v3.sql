-- A replica written by ruta at schema 3 (head office; one account, contact and opportunity): 'sqlite3 ruta.db .dump' plus the user_version it omits.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE stage (id TEXT PRIMARY KEY NOT NULL CHECK(length(id) BETWEEN 1 AND 32 AND id GLOB '[a-z]*' AND id NOT GLOB '*[^a-z0-9_]*'),
  label TEXT, label__v INTEGER NOT NULL DEFAULT 0,
  seq INTEGER CHECK(seq >= 0), seq__v INTEGER NOT NULL DEFAULT 0,
  probability INTEGER CHECK(probability BETWEEN 0 AND 100), probability__v INTEGER NOT NULL DEFAULT 0,
  is_closed INTEGER CHECK(is_closed IN (0,1)) DEFAULT 0, is_closed__v INTEGER NOT NULL DEFAULT 0,
  is_won INTEGER CHECK(is_won IN (0,1)) DEFAULT 0, is_won__v INTEGER NOT NULL DEFAULT 0,
  active INTEGER CHECK(active IN (0,1)) DEFAULT 1, active__v INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')) CHECK(length(created_at) = 20 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), created_at__v INTEGER NOT NULL DEFAULT 0,
  deleted_at TEXT CHECK(length(deleted_at) = 20 AND deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), deleted_at__v INTEGER NOT NULL DEFAULT 0) STRICT;
INSERT INTO stage VALUES('qualification','Qualification',0,10,0,10,0,0,0,0,0,1,0,'1970-01-01T00:00:00Z',0,NULL,0);
INSERT INTO stage VALUES('needs','Needs analysis',0,20,0,25,0,0,0,0,0,1,0,'1970-01-01T00:00:00Z',0,NULL,0);
INSERT INTO stage VALUES('offer_sent','Offer sent',0,30,0,50,0,0,0,0,0,1,0,'1970-01-01T00:00:00Z',0,NULL,0);
INSERT INTO stage VALUES('negotiation','Negotiation',0,40,0,75,0,0,0,0,0,1,0,'1970-01-01T00:00:00Z',0,NULL,0);
INSERT INTO stage VALUES('won','Won',0,90,0,100,0,1,0,1,0,1,0,'1970-01-01T00:00:00Z',0,NULL,0);
INSERT INTO stage VALUES('lost','Lost',0,91,0,0,0,1,0,0,0,1,0,'1970-01-01T00:00:00Z',0,NULL,0);
CREATE TABLE lost_reason (id TEXT PRIMARY KEY NOT NULL CHECK(length(id) BETWEEN 1 AND 32 AND id GLOB '[a-z]*' AND id NOT GLOB '*[^a-z0-9_]*'),
  label TEXT, label__v INTEGER NOT NULL DEFAULT 0,
  active INTEGER CHECK(active IN (0,1)) DEFAULT 1, active__v INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')) CHECK(length(created_at) = 20 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), created_at__v INTEGER NOT NULL DEFAULT 0,
  deleted_at TEXT CHECK(length(deleted_at) = 20 AND deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), deleted_at__v INTEGER NOT NULL DEFAULT 0) STRICT;
INSERT INTO lost_reason VALUES('price','Price',0,1,0,'1970-01-01T00:00:00Z',0,NULL,0);
INSERT INTO lost_reason VALUES('competitor','Competitor',0,1,0,'1970-01-01T00:00:00Z',0,NULL,0);
INSERT INTO lost_reason VALUES('no_budget','No budget',0,1,0,'1970-01-01T00:00:00Z',0,NULL,0);
INSERT INTO lost_reason VALUES('no_decision','No decision',0,1,0,'1970-01-01T00:00:00Z',0,NULL,0);
INSERT INTO lost_reason VALUES('timing','Timing',0,1,0,'1970-01-01T00:00:00Z',0,NULL,0);
INSERT INTO lost_reason VALUES('other','Other',0,1,0,'1970-01-01T00:00:00Z',0,NULL,0);
CREATE TABLE account (id TEXT PRIMARY KEY NOT NULL DEFAULT (substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 45) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 40) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 35) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 30) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 25) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 20) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 15) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 10) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 5) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 0) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)) CHECK(length(id) BETWEEN 1 AND 64),
  name TEXT, name__v INTEGER NOT NULL DEFAULT 0,
  legal_name TEXT, legal_name__v INTEGER NOT NULL DEFAULT 0,
  tax_id TEXT, tax_id__v INTEGER NOT NULL DEFAULT 0,
  tax_id_norm TEXT, tax_id_norm__v INTEGER NOT NULL DEFAULT 0,
  lifecycle TEXT CHECK(lifecycle IN ('lead','prospect','potential','client','inactive')) DEFAULT 'lead', lifecycle__v INTEGER NOT NULL DEFAULT 0,
  sector TEXT, sector__v INTEGER NOT NULL DEFAULT 0,
  region TEXT, region__v INTEGER NOT NULL DEFAULT 0,
  sales_channel TEXT CHECK(sales_channel IN ('direct','distributor','phone','web','other')), sales_channel__v INTEGER NOT NULL DEFAULT 0,
  website TEXT, website__v INTEGER NOT NULL DEFAULT 0,
  phone TEXT CHECK(phone GLOB '+[1-9]*' AND phone NOT GLOB '+*[^0-9]*'), phone__v INTEGER NOT NULL DEFAULT 0,
  email TEXT CHECK(email LIKE '%_@_%'), email__v INTEGER NOT NULL DEFAULT 0,
  street TEXT, street__v INTEGER NOT NULL DEFAULT 0,
  city TEXT, city__v INTEGER NOT NULL DEFAULT 0,
  postal_code TEXT, postal_code__v INTEGER NOT NULL DEFAULT 0,
  country TEXT CHECK(length(country) = 2 AND country GLOB '[A-Z][A-Z]'), country__v INTEGER NOT NULL DEFAULT 0,
  employees INTEGER CHECK(employees >= 0), employees__v INTEGER NOT NULL DEFAULT 0,
  owner TEXT, owner__v INTEGER NOT NULL DEFAULT 0,
  team TEXT, team__v INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')) CHECK(length(created_at) = 20 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), created_at__v INTEGER NOT NULL DEFAULT 0,
  deleted_at TEXT CHECK(length(deleted_at) = 20 AND deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), deleted_at__v INTEGER NOT NULL DEFAULT 0, merged_into TEXT, merged_into__v INTEGER NOT NULL DEFAULT 0) STRICT;
INSERT INTO account VALUES('01M8215NSZ6FQHBZYQKMETMFM1','Acme S.L.',0,NULL,0,NULL,0,NULL,0,'lead',0,NULL,0,'Madrid',0,NULL,0,NULL,0,NULL,0,NULL,0,NULL,0,NULL,0,NULL,0,NULL,0,NULL,0,NULL,0,NULL,0,'2026-11-22T16:24:33Z',0,NULL,0,NULL,0);
CREATE TABLE contact (id TEXT PRIMARY KEY NOT NULL DEFAULT (substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 45) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 40) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 35) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 30) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 25) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 20) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 15) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 10) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 5) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 0) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)) CHECK(length(id) BETWEEN 1 AND 64),
  account_id TEXT, account_id__v INTEGER NOT NULL DEFAULT 0,
  first_name TEXT, first_name__v INTEGER NOT NULL DEFAULT 0,
  last_name TEXT, last_name__v INTEGER NOT NULL DEFAULT 0,
  title TEXT, title__v INTEGER NOT NULL DEFAULT 0,
  lifecycle TEXT CHECK(lifecycle IN ('lead','prospect','potential','client','inactive')), lifecycle__v INTEGER NOT NULL DEFAULT 0,
  do_not_call INTEGER CHECK(do_not_call IN (0,1)) DEFAULT 0, do_not_call__v INTEGER NOT NULL DEFAULT 0,
  street TEXT, street__v INTEGER NOT NULL DEFAULT 0,
  city TEXT, city__v INTEGER NOT NULL DEFAULT 0,
  postal_code TEXT, postal_code__v INTEGER NOT NULL DEFAULT 0,
  country TEXT CHECK(length(country) = 2 AND country GLOB '[A-Z][A-Z]'), country__v INTEGER NOT NULL DEFAULT 0,
  owner TEXT, owner__v INTEGER NOT NULL DEFAULT 0,
  team TEXT, team__v INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')) CHECK(length(created_at) = 20 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), created_at__v INTEGER NOT NULL DEFAULT 0,
  deleted_at TEXT CHECK(length(deleted_at) = 20 AND deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), deleted_at__v INTEGER NOT NULL DEFAULT 0, merged_into TEXT, merged_into__v INTEGER NOT NULL DEFAULT 0) STRICT;
INSERT INTO contact VALUES('01M8215NV3RKQYJMZQJBVQGDFN','01M8215NSZ6FQHBZYQKMETMFM1',0,'Ana',0,'Ruiz',0,NULL,0,NULL,0,0,0,NULL,0,NULL,0,NULL,0,NULL,0,NULL,0,NULL,0,'2026-11-22T16:24:33Z',0,NULL,0,NULL,0);
CREATE TABLE contact_email (id TEXT PRIMARY KEY NOT NULL DEFAULT (substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 45) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 40) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 35) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 30) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 25) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 20) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 15) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 10) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 5) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 0) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)) CHECK(length(id) BETWEEN 1 AND 64),
  contact_id TEXT, contact_id__v INTEGER NOT NULL DEFAULT 0,
  email TEXT CHECK(email LIKE '%_@_%'), email__v INTEGER NOT NULL DEFAULT 0,
  email_norm TEXT, email_norm__v INTEGER NOT NULL DEFAULT 0,
  kind TEXT CHECK(kind IN ('work','home','other')) DEFAULT 'work', kind__v INTEGER NOT NULL DEFAULT 0,
  is_primary INTEGER CHECK(is_primary IN (0,1)) DEFAULT 0, is_primary__v INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')) CHECK(length(created_at) = 20 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), created_at__v INTEGER NOT NULL DEFAULT 0,
  deleted_at TEXT CHECK(length(deleted_at) = 20 AND deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), deleted_at__v INTEGER NOT NULL DEFAULT 0) STRICT;
INSERT INTO contact_email VALUES('01M8215NV3GJCDRFDBEH4Z3ANR','01M8215NV3RKQYJMZQJBVQGDFN',0,'ana@acme.es',0,'ana@acme.es',0,'work',0,1,0,'2026-11-22T16:24:33Z',0,NULL,0);
CREATE TABLE contact_phone (id TEXT PRIMARY KEY NOT NULL DEFAULT (substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 45) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 40) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 35) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 30) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 25) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 20) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 15) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 10) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 5) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 0) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)) CHECK(length(id) BETWEEN 1 AND 64),
  contact_id TEXT, contact_id__v INTEGER NOT NULL DEFAULT 0,
  phone TEXT, phone__v INTEGER NOT NULL DEFAULT 0,
  e164 TEXT CHECK(e164 GLOB '+[1-9]*' AND e164 NOT GLOB '+*[^0-9]*'), e164__v INTEGER NOT NULL DEFAULT 0,
  kind TEXT CHECK(kind IN ('mobile','office','home','fax','other')) DEFAULT 'mobile', kind__v INTEGER NOT NULL DEFAULT 0,
  is_primary INTEGER CHECK(is_primary IN (0,1)) DEFAULT 0, is_primary__v INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')) CHECK(length(created_at) = 20 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), created_at__v INTEGER NOT NULL DEFAULT 0,
  deleted_at TEXT CHECK(length(deleted_at) = 20 AND deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), deleted_at__v INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE TABLE opportunity (id TEXT PRIMARY KEY NOT NULL DEFAULT (substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 45) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 40) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 35) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 30) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 25) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 20) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 15) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 10) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 5) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 0) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)) CHECK(length(id) BETWEEN 1 AND 64),
  account_id TEXT, account_id__v INTEGER NOT NULL DEFAULT 0,
  name TEXT, name__v INTEGER NOT NULL DEFAULT 0,
  stage TEXT DEFAULT 'qualification', stage__v INTEGER NOT NULL DEFAULT 0,
  probability INTEGER CHECK(probability BETWEEN 0 AND 100), probability__v INTEGER NOT NULL DEFAULT 0,
  probability_manual INTEGER CHECK(probability_manual IN (0,1)) DEFAULT 0, probability_manual__v INTEGER NOT NULL DEFAULT 0,
  amount_minor INTEGER CHECK(amount_minor BETWEEN 0 AND 9007199254740991), amount_minor__v INTEGER NOT NULL DEFAULT 0,
  currency TEXT CHECK(length(currency) = 3 AND currency GLOB '[A-Z][A-Z][A-Z]'), currency__v INTEGER NOT NULL DEFAULT 0,
  expected_close TEXT CHECK(length(expected_close) = 10 AND expected_close GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), expected_close__v INTEGER NOT NULL DEFAULT 0,
  contact_id TEXT, contact_id__v INTEGER NOT NULL DEFAULT 0,
  next_step TEXT, next_step__v INTEGER NOT NULL DEFAULT 0,
  lead_source TEXT, lead_source__v INTEGER NOT NULL DEFAULT 0,
  lost_reason TEXT, lost_reason__v INTEGER NOT NULL DEFAULT 0,
  lost_note TEXT, lost_note__v INTEGER NOT NULL DEFAULT 0,
  stage_changed_at TEXT CHECK(length(stage_changed_at) = 20 AND stage_changed_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z') DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')), stage_changed_at__v INTEGER NOT NULL DEFAULT 0,
  closed_at TEXT CHECK(length(closed_at) = 20 AND closed_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), closed_at__v INTEGER NOT NULL DEFAULT 0,
  owner TEXT, owner__v INTEGER NOT NULL DEFAULT 0,
  team TEXT, team__v INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')) CHECK(length(created_at) = 20 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), created_at__v INTEGER NOT NULL DEFAULT 0,
  deleted_at TEXT CHECK(length(deleted_at) = 20 AND deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), deleted_at__v INTEGER NOT NULL DEFAULT 0) STRICT;
INSERT INTO opportunity VALUES('01M8215NVXC9K9FYSV8DX9PWCP','01M8215NSZ6FQHBZYQKMETMFM1',0,'Fleet renewal',0,'qualification',0,10,0,0,0,1200000,0,'EUR',0,NULL,0,NULL,0,NULL,0,NULL,0,NULL,0,NULL,0,'2026-11-22T16:24:33Z',0,NULL,0,NULL,0,NULL,0,'2026-11-22T16:24:33Z',0,NULL,0);
CREATE TABLE opportunity_stage_history (id TEXT PRIMARY KEY NOT NULL DEFAULT (substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 45) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 40) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 35) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 30) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 25) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 20) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 15) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 10) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 5) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 0) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)) CHECK(length(id) BETWEEN 1 AND 64),
  opportunity_id TEXT, opportunity_id__v INTEGER NOT NULL DEFAULT 0,
  from_stage TEXT, from_stage__v INTEGER NOT NULL DEFAULT 0,
  to_stage TEXT, to_stage__v INTEGER NOT NULL DEFAULT 0,
  at TEXT CHECK(length(at) = 20 AND at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), at__v INTEGER NOT NULL DEFAULT 0,
  replica TEXT, replica__v INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')) CHECK(length(created_at) = 20 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), created_at__v INTEGER NOT NULL DEFAULT 0,
  deleted_at TEXT CHECK(length(deleted_at) = 20 AND deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), deleted_at__v INTEGER NOT NULL DEFAULT 0) STRICT;
INSERT INTO opportunity_stage_history VALUES('01M8215NVXWK8FN1CSEDE1SD1K','01M8215NVXC9K9FYSV8DX9PWCP',0,NULL,0,'qualification',0,'2026-11-22T16:24:33Z',0,'hq-jfc4378b3z',0,'2026-11-22T16:24:33Z',0,NULL,0);
CREATE TABLE activity (id TEXT PRIMARY KEY NOT NULL DEFAULT (substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 45) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 40) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 35) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 30) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 25) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 20) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 15) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 10) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 5) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 0) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)) CHECK(length(id) BETWEEN 1 AND 64),
  kind TEXT CHECK(kind IN ('call','meeting','visit')), kind__v INTEGER NOT NULL DEFAULT 0,
  status TEXT CHECK(status IN ('planned','held','not_held','cancelled')) DEFAULT 'planned', status__v INTEGER NOT NULL DEFAULT 0,
  subject TEXT, subject__v INTEGER NOT NULL DEFAULT 0,
  account_id TEXT, account_id__v INTEGER NOT NULL DEFAULT 0,
  contact_id TEXT, contact_id__v INTEGER NOT NULL DEFAULT 0,
  opportunity_id TEXT, opportunity_id__v INTEGER NOT NULL DEFAULT 0,
  planned_start TEXT CHECK(length(planned_start) = 20 AND planned_start GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), planned_start__v INTEGER NOT NULL DEFAULT 0,
  planned_end TEXT CHECK(length(planned_end) = 20 AND planned_end GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), planned_end__v INTEGER NOT NULL DEFAULT 0,
  held_start TEXT CHECK(length(held_start) = 20 AND held_start GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), held_start__v INTEGER NOT NULL DEFAULT 0,
  held_end TEXT CHECK(length(held_end) = 20 AND held_end GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), held_end__v INTEGER NOT NULL DEFAULT 0,
  not_held_reason TEXT, not_held_reason__v INTEGER NOT NULL DEFAULT 0,
  location TEXT, location__v INTEGER NOT NULL DEFAULT 0,
  notes TEXT, notes__v INTEGER NOT NULL DEFAULT 0,
  owner TEXT, owner__v INTEGER NOT NULL DEFAULT 0,
  team TEXT, team__v INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')) CHECK(length(created_at) = 20 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), created_at__v INTEGER NOT NULL DEFAULT 0,
  deleted_at TEXT CHECK(length(deleted_at) = 20 AND deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), deleted_at__v INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE TABLE offer (id TEXT PRIMARY KEY NOT NULL DEFAULT (substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 45) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 40) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 35) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 30) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 25) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 20) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 15) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 10) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 5) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',((CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) >> 0) & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)||substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',(random() & 31)+1,1)) CHECK(length(id) BETWEEN 1 AND 64),
  opportunity_id TEXT, opportunity_id__v INTEGER NOT NULL DEFAULT 0,
  number TEXT, number__v INTEGER NOT NULL DEFAULT 0,
  revision INTEGER CHECK(revision >= 0) DEFAULT 1, revision__v INTEGER NOT NULL DEFAULT 0,
  status TEXT CHECK(status IN ('draft','sent','accepted','rejected','expired','withdrawn')) DEFAULT 'draft', status__v INTEGER NOT NULL DEFAULT 0,
  total_minor INTEGER CHECK(total_minor BETWEEN 0 AND 9007199254740991), total_minor__v INTEGER NOT NULL DEFAULT 0,
  currency TEXT CHECK(length(currency) = 3 AND currency GLOB '[A-Z][A-Z][A-Z]'), currency__v INTEGER NOT NULL DEFAULT 0,
  valid_until TEXT CHECK(length(valid_until) = 10 AND valid_until GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), valid_until__v INTEGER NOT NULL DEFAULT 0,
  description TEXT, description__v INTEGER NOT NULL DEFAULT 0,
  sent_at TEXT CHECK(length(sent_at) = 20 AND sent_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), sent_at__v INTEGER NOT NULL DEFAULT 0,
  decided_at TEXT CHECK(length(decided_at) = 20 AND decided_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), decided_at__v INTEGER NOT NULL DEFAULT 0,
  revises TEXT, revises__v INTEGER NOT NULL DEFAULT 0,
  owner TEXT, owner__v INTEGER NOT NULL DEFAULT 0,
  team TEXT, team__v INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')) CHECK(length(created_at) = 20 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), created_at__v INTEGER NOT NULL DEFAULT 0,
  deleted_at TEXT CHECK(length(deleted_at) = 20 AND deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'), deleted_at__v INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE TABLE ruta_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT) STRICT;
INSERT INTO ruta_meta VALUES('trigger_rev','6');
INSERT INTO ruta_meta VALUES('replica_id','hq-jfc4378b3z');
INSERT INTO ruta_meta VALUES('role','head_office');
CREATE TABLE ruta_sync_state (k INTEGER PRIMARY KEY CHECK(k = 0), applying INTEGER NOT NULL DEFAULT 0, hlc INTEGER NOT NULL DEFAULT 0, stamped_seq INTEGER NOT NULL DEFAULT 0, exported_seq INTEGER NOT NULL DEFAULT 0) STRICT;
INSERT INTO ruta_sync_state VALUES(0,0,0,0,0);
CREATE TABLE ruta_change (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, rec TEXT NOT NULL, op TEXT NOT NULL CHECK(op IN ('i','u','d')), col TEXT NOT NULL, val ANY, base INTEGER, t INTEGER NOT NULL, ver INTEGER, supersedes TEXT) STRICT;
INSERT INTO ruta_change VALUES(1,'account','01M8215NSZ6FQHBZYQKMETMFM1','i','created_at','2026-11-22T16:24:33Z',0,1795364673343,NULL,NULL);
INSERT INTO ruta_change VALUES(2,'account','01M8215NSZ6FQHBZYQKMETMFM1','i','name','Acme S.L.',0,1795364673343,NULL,NULL);
INSERT INTO ruta_change VALUES(3,'account','01M8215NSZ6FQHBZYQKMETMFM1','i','lifecycle','lead',0,1795364673343,NULL,NULL);
INSERT INTO ruta_change VALUES(4,'account','01M8215NSZ6FQHBZYQKMETMFM1','i','region','Madrid',0,1795364673343,NULL,NULL);
INSERT INTO ruta_change VALUES(5,'contact','01M8215NV3RKQYJMZQJBVQGDFN','i','created_at','2026-11-22T16:24:33Z',0,1795364673379,NULL,NULL);
INSERT INTO ruta_change VALUES(6,'contact','01M8215NV3RKQYJMZQJBVQGDFN','i','account_id','01M8215NSZ6FQHBZYQKMETMFM1',0,1795364673379,NULL,NULL);
INSERT INTO ruta_change VALUES(7,'contact','01M8215NV3RKQYJMZQJBVQGDFN','i','first_name','Ana',0,1795364673379,NULL,NULL);
INSERT INTO ruta_change VALUES(8,'contact','01M8215NV3RKQYJMZQJBVQGDFN','i','last_name','Ruiz',0,1795364673379,NULL,NULL);
INSERT INTO ruta_change VALUES(9,'contact','01M8215NV3RKQYJMZQJBVQGDFN','i','do_not_call',0,0,1795364673379,NULL,NULL);
INSERT INTO ruta_change VALUES(10,'contact_email','01M8215NV3GJCDRFDBEH4Z3ANR','i','created_at','2026-11-22T16:24:33Z',0,1795364673379,NULL,NULL);
INSERT INTO ruta_change VALUES(11,'contact_email','01M8215NV3GJCDRFDBEH4Z3ANR','i','contact_id','01M8215NV3RKQYJMZQJBVQGDFN',0,1795364673379,NULL,NULL);
INSERT INTO ruta_change VALUES(12,'contact_email','01M8215NV3GJCDRFDBEH4Z3ANR','i','email','ana@acme.es',0,1795364673379,NULL,NULL);
INSERT INTO ruta_change VALUES(13,'contact_email','01M8215NV3GJCDRFDBEH4Z3ANR','i','email_norm','ana@acme.es',0,1795364673379,NULL,NULL);
INSERT INTO ruta_change VALUES(14,'contact_email','01M8215NV3GJCDRFDBEH4Z3ANR','i','kind','work',0,1795364673379,NULL,NULL);
INSERT INTO ruta_change VALUES(15,'contact_email','01M8215NV3GJCDRFDBEH4Z3ANR','i','is_primary',1,0,1795364673379,NULL,NULL);
INSERT INTO ruta_change VALUES(16,'opportunity','01M8215NVXC9K9FYSV8DX9PWCP','i','created_at','2026-11-22T16:24:33Z',0,1795364673405,NULL,NULL);
INSERT INTO ruta_change VALUES(17,'opportunity','01M8215NVXC9K9FYSV8DX9PWCP','i','account_id','01M8215NSZ6FQHBZYQKMETMFM1',0,1795364673405,NULL,NULL);
INSERT INTO ruta_change VALUES(18,'opportunity','01M8215NVXC9K9FYSV8DX9PWCP','i','name','Fleet renewal',0,1795364673405,NULL,NULL);
INSERT INTO ruta_change VALUES(19,'opportunity','01M8215NVXC9K9FYSV8DX9PWCP','i','stage','qualification',0,1795364673405,NULL,NULL);
INSERT INTO ruta_change VALUES(20,'opportunity','01M8215NVXC9K9FYSV8DX9PWCP','i','probability_manual',0,0,1795364673405,NULL,NULL);
INSERT INTO ruta_change VALUES(21,'opportunity','01M8215NVXC9K9FYSV8DX9PWCP','i','amount_minor',1200000,0,1795364673405,NULL,NULL);
INSERT INTO ruta_change VALUES(22,'opportunity','01M8215NVXC9K9FYSV8DX9PWCP','i','currency','EUR',0,1795364673405,NULL,NULL);
INSERT INTO ruta_change VALUES(23,'opportunity','01M8215NVXC9K9FYSV8DX9PWCP','i','stage_changed_at','2026-11-22T16:24:33Z',0,1795364673405,NULL,NULL);
INSERT INTO ruta_change VALUES(24,'opportunity_stage_history','01M8215NVXWK8FN1CSEDE1SD1K','i','created_at','2026-11-22T16:24:33Z',0,1795364673405,NULL,NULL);
INSERT INTO ruta_change VALUES(25,'opportunity_stage_history','01M8215NVXWK8FN1CSEDE1SD1K','i','opportunity_id','01M8215NVXC9K9FYSV8DX9PWCP',0,1795364673405,NULL,NULL);
INSERT INTO ruta_change VALUES(26,'opportunity_stage_history','01M8215NVXWK8FN1CSEDE1SD1K','i','to_stage','qualification',0,1795364673405,NULL,NULL);
INSERT INTO ruta_change VALUES(27,'opportunity_stage_history','01M8215NVXWK8FN1CSEDE1SD1K','i','at','2026-11-22T16:24:33Z',0,1795364673405,NULL,NULL);
INSERT INTO ruta_change VALUES(28,'opportunity_stage_history','01M8215NVXWK8FN1CSEDE1SD1K','i','replica','hq-jfc4378b3z',0,1795364673405,NULL,NULL);
INSERT INTO ruta_change VALUES(29,'opportunity','01M8215NVXC9K9FYSV8DX9PWCP','u','probability',10,0,1795364673405,NULL,NULL);
CREATE TABLE ruta_changeset (replica TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL UNIQUE, body BLOB NOT NULL, sig TEXT NOT NULL, hlc_max INTEGER NOT NULL, at TEXT NOT NULL, written INTEGER NOT NULL DEFAULT 0, hlc_min INTEGER, PRIMARY KEY (replica, seq)) STRICT;
CREATE TABLE ruta_frontier (replica TEXT PRIMARY KEY NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL) STRICT;
CREATE TABLE ruta_pending (hash TEXT PRIMARY KEY NOT NULL, replica TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL, sig TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL) STRICT;
CREATE TABLE ruta_quarantine (id INTEGER PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL, code INTEGER NOT NULL, reason TEXT NOT NULL, body BLOB NOT NULL, sig TEXT, retry INTEGER NOT NULL DEFAULT 0, at TEXT NOT NULL) STRICT;
CREATE TABLE ruta_trust (version INTEGER PRIMARY KEY, text TEXT NOT NULL, sig TEXT NOT NULL, at TEXT NOT NULL) STRICT;
INSERT INTO ruta_trust VALUES(1,replace('# ruta trust file\n# version 1\n# team hq-jfc4378b3z hq\nhq-jfc4378b3z namespaces="ruta-changeset,git" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICkOb2XzLnXwkvervnFcwZqGtakGcUnR+Mwi/6Xo3KyT\n','\n',char(10)),replace('-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgf/Rfr/uAPUJ0RYe+1zVFMnPGsc\n+LU+nvqRheLHthDCEAAAAKcnV0YS10cnVzdAAAAAAAAAAGc2hhNTEyAAAAUwAAAAtzc2gt\nZWQyNTUxOQAAAEAOBxsoCBOhe48FDgYukWTdLVeLqDrtFfjDCmcjUtUOzaaFIZNzRPP0WO\noy3dJEKXki3MDH4kUoj0XifDH+NiIA\n-----END SSH SIGNATURE-----\n','\n',char(10)),'2026-11-22T16:24:33Z');
CREATE TABLE ruta_key (principal TEXT PRIMARY KEY NOT NULL, team TEXT NOT NULL, pk BLOB NOT NULL, fingerprint TEXT NOT NULL, valid_after TEXT, valid_before TEXT, revoked_after INTEGER) STRICT;
INSERT INTO ruta_key VALUES('hq-jfc4378b3z','hq',X'290e6f65f32e75f092f7abbe715cc19a86b5a9067149d1f8cc22ffa5e8dcac93','SHA256:pgfDFLY8227d1Q1VbINfkZ2UbnxlKWRLg7/qZDfxRvU',NULL,NULL,NULL);
CREATE TABLE ruta_conflict (tbl TEXT NOT NULL, rec TEXT NOT NULL, col TEXT NOT NULL, id TEXT NOT NULL UNIQUE, policy TEXT NOT NULL, review INTEGER NOT NULL DEFAULT 0, opened_at TEXT NOT NULL, PRIMARY KEY (tbl, rec, col)) STRICT;
CREATE TABLE ruta_conflict_head (tbl TEXT NOT NULL, rec TEXT NOT NULL, col TEXT NOT NULL, hlc INTEGER NOT NULL, value ANY, replica TEXT NOT NULL DEFAULT '', changeset TEXT) STRICT;
CREATE TABLE ruta_conflict_closed (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, tbl TEXT NOT NULL, rec TEXT NOT NULL, col TEXT NOT NULL, policy TEXT NOT NULL, heads TEXT NOT NULL, chosen ANY, closed_by INTEGER NOT NULL, closed_by_replica TEXT, at TEXT NOT NULL) STRICT;
CREATE TABLE ruta_dve (tbl TEXT NOT NULL, rec TEXT NOT NULL, PRIMARY KEY (tbl, rec)) STRICT;
CREATE TABLE ruta_skew (hash TEXT PRIMARY KEY NOT NULL, replica TEXT NOT NULL, seq INTEGER NOT NULL, hlc_max INTEGER NOT NULL, ahead_ms INTEGER NOT NULL, at TEXT NOT NULL) STRICT;
CREATE INDEX account_tax_id ON account(tax_id_norm) WHERE tax_id_norm IS NOT NULL;
CREATE INDEX contact_account ON contact(account_id);
CREATE INDEX contact_email_contact ON contact_email(contact_id);
CREATE INDEX contact_email_norm ON contact_email(email_norm);
CREATE INDEX contact_phone_contact ON contact_phone(contact_id);
CREATE INDEX contact_phone_e164 ON contact_phone(e164);
CREATE INDEX opportunity_account ON opportunity(account_id);
CREATE INDEX opportunity_stage ON opportunity(stage);
CREATE INDEX stage_history_opportunity ON opportunity_stage_history(opportunity_id, at);
CREATE INDEX activity_account ON activity(account_id);
CREATE INDEX activity_team_plan ON activity(team, planned_start, status);
CREATE INDEX offer_opportunity ON offer(opportunity_id);
CREATE INDEX ruta_quarantine_hash ON ruta_quarantine(hash);
CREATE INDEX ruta_conflict_head_field ON ruta_conflict_head(tbl, rec, col);
CREATE INDEX ruta_change_ver ON ruta_change(ver);
CREATE INDEX ruta_conflict_closed_rec ON ruta_conflict_closed(tbl, rec);
CREATE INDEX ruta_changeset_hlc ON ruta_changeset(hlc_max, hlc_min);
CREATE TRIGGER ruta_rule_opp_stage_ins BEFORE INSERT ON opportunity WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 SELECT RAISE(ABORT, 'ruta: unknown stage; see ruta stage list')  WHERE NOT EXISTS (SELECT 1 FROM stage WHERE id = new.stage);
 SELECT RAISE(ABORT, 'ruta: a lost opportunity needs a lost reason')  WHERE new.lost_reason IS NULL AND (SELECT is_closed AND NOT is_won FROM stage WHERE id = new.stage);
END;
CREATE TRIGGER ruta_rule_opp_stage_upd BEFORE UPDATE OF stage, lost_reason ON opportunity WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 SELECT RAISE(ABORT, 'ruta: unknown stage; see ruta stage list')  WHERE NOT EXISTS (SELECT 1 FROM stage WHERE id = new.stage);
 SELECT RAISE(ABORT, 'ruta: a lost opportunity needs a lost reason')  WHERE new.lost_reason IS NULL AND (SELECT is_closed AND NOT is_won FROM stage WHERE id = new.stage);
END;
CREATE TRIGGER ruta_rule_opp_created AFTER INSERT ON opportunity WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO opportunity_stage_history(opportunity_id, from_stage, to_stage, at, replica)  VALUES (new.id, NULL, new.stage, strftime('%Y-%m-%dT%H:%M:%SZ','now'),  (SELECT value FROM ruta_meta WHERE key = 'replica_id'));
 UPDATE opportunity SET probability = (SELECT probability FROM stage WHERE id = new.stage),  probability_manual = 0 WHERE id = new.id AND (new.probability IS NULL  OR (SELECT is_closed FROM stage WHERE id = new.stage));
 UPDATE opportunity SET closed_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')  WHERE id = new.id AND new.closed_at IS NULL AND (SELECT is_closed FROM stage WHERE id = new.stage);
END;
CREATE TRIGGER ruta_rule_opp_moved AFTER UPDATE OF stage ON opportunity WHEN old.stage IS NOT new.stage AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO opportunity_stage_history(opportunity_id, from_stage, to_stage, at, replica)  VALUES (new.id, old.stage, new.stage, strftime('%Y-%m-%dT%H:%M:%SZ','now'),  (SELECT value FROM ruta_meta WHERE key = 'replica_id'));
 UPDATE opportunity SET stage_changed_at = strftime('%Y-%m-%dT%H:%M:%SZ','now'),  probability = CASE WHEN probability_manual AND NOT   (SELECT is_closed FROM stage WHERE id = new.stage) THEN probability   ELSE (SELECT probability FROM stage WHERE id = new.stage) END,  probability_manual = CASE WHEN (SELECT is_closed FROM stage WHERE id = new.stage)   THEN 0 ELSE probability_manual END,  closed_at = CASE WHEN (SELECT is_closed FROM stage WHERE id = new.stage)   THEN coalesce(closed_at, strftime('%Y-%m-%dT%H:%M:%SZ','now')) ELSE NULL END,  lost_reason = CASE WHEN (SELECT is_closed AND NOT is_won FROM stage WHERE id = new.stage)   THEN lost_reason ELSE NULL END,  lost_note = CASE WHEN (SELECT is_closed AND NOT is_won FROM stage WHERE id = new.stage)   THEN lost_note ELSE NULL END  WHERE id = new.id;
END;
CREATE TRIGGER ruta_rule_offer_frozen BEFORE UPDATE ON offer WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 AND old.status <> 'draft' AND (old.total_minor IS NOT new.total_minor OR old.currency IS NOT new.currency OR old.valid_until IS NOT new.valid_until OR old.number IS NOT new.number OR old.description IS NOT new.description OR old.opportunity_id IS NOT new.opportunity_id OR old.revision IS NOT new.revision) BEGIN SELECT RAISE(ABORT, 'ruta: a sent offer cannot change; make a new revision with ruta offer revise'); END;
CREATE TRIGGER ruta_rule_offer_status BEFORE UPDATE OF status ON offer WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 AND old.status IS NOT new.status AND NOT ((old.status = 'draft' AND new.status = 'sent') OR (old.status = 'sent' AND new.status IN ('accepted','rejected','expired','withdrawn'))) BEGIN SELECT RAISE(ABORT, 'ruta: an offer goes draft -> sent -> accepted, rejected, expired or withdrawn, never back'); END;
CREATE TRIGGER ruta_rule_activity_status BEFORE UPDATE OF status ON activity WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 AND old.status IS NOT new.status AND old.status IS NOT 'planned' BEGIN SELECT RAISE(ABORT, 'ruta: only a planned activity changes status'); END;
CREATE TRIGGER ruta_cap_stage_ins AFTER INSERT ON stage WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t)
 SELECT 'stage', new.id, 'i', 'created_at', new.created_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.created_at IS NOT NULL
 UNION ALL SELECT 'stage', new.id, 'i', 'label', new.label, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.label IS NOT NULL
 UNION ALL SELECT 'stage', new.id, 'i', 'seq', new.seq, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.seq IS NOT NULL
 UNION ALL SELECT 'stage', new.id, 'i', 'probability', new.probability, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.probability IS NOT NULL
 UNION ALL SELECT 'stage', new.id, 'i', 'is_closed', new.is_closed, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.is_closed IS NOT NULL
 UNION ALL SELECT 'stage', new.id, 'i', 'is_won', new.is_won, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.is_won IS NOT NULL
 UNION ALL SELECT 'stage', new.id, 'i', 'active', new.active, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.active IS NOT NULL
 UNION ALL SELECT 'stage', new.id, 'i', 'deleted_at', new.deleted_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.deleted_at IS NOT NULL
;
END;
CREATE TRIGGER ruta_fix_stage_id BEFORE UPDATE OF id ON stage BEGIN SELECT RAISE(ABORT, 'ruta: stage ids never change'); END;
CREATE TRIGGER ruta_cap_stage_created_at AFTER UPDATE OF created_at ON stage WHEN old.created_at IS NOT new.created_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('stage', new.id, 'u', 'created_at', new.created_at, old.created_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_stage_label AFTER UPDATE OF label ON stage WHEN old.label IS NOT new.label COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('stage', new.id, 'u', 'label', new.label, old.label__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_stage_seq AFTER UPDATE OF seq ON stage WHEN old.seq IS NOT new.seq COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('stage', new.id, 'u', 'seq', new.seq, old.seq__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_stage_probability AFTER UPDATE OF probability ON stage WHEN old.probability IS NOT new.probability COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('stage', new.id, 'u', 'probability', new.probability, old.probability__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_stage_is_closed AFTER UPDATE OF is_closed ON stage WHEN old.is_closed IS NOT new.is_closed COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('stage', new.id, 'u', 'is_closed', new.is_closed, old.is_closed__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_stage_is_won AFTER UPDATE OF is_won ON stage WHEN old.is_won IS NOT new.is_won COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('stage', new.id, 'u', 'is_won', new.is_won, old.is_won__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_stage_active AFTER UPDATE OF active ON stage WHEN old.active IS NOT new.active COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('stage', new.id, 'u', 'active', new.active, old.active__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_stage_deleted_at AFTER UPDATE OF deleted_at ON stage WHEN old.deleted_at IS NOT new.deleted_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('stage', new.id, CASE WHEN new.deleted_at IS NULL THEN 'u' ELSE 'd' END, 'deleted_at', new.deleted_at, old.deleted_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_tomb_stage BEFORE DELETE ON stage BEGIN
 UPDATE stage SET deleted_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = old.id AND deleted_at IS NULL;
 SELECT RAISE(IGNORE);
END;
CREATE TRIGGER ruta_cap_lost_reason_ins AFTER INSERT ON lost_reason WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t)
 SELECT 'lost_reason', new.id, 'i', 'created_at', new.created_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.created_at IS NOT NULL
 UNION ALL SELECT 'lost_reason', new.id, 'i', 'label', new.label, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.label IS NOT NULL
 UNION ALL SELECT 'lost_reason', new.id, 'i', 'active', new.active, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.active IS NOT NULL
 UNION ALL SELECT 'lost_reason', new.id, 'i', 'deleted_at', new.deleted_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.deleted_at IS NOT NULL
;
END;
CREATE TRIGGER ruta_fix_lost_reason_id BEFORE UPDATE OF id ON lost_reason BEGIN SELECT RAISE(ABORT, 'ruta: lost reason ids never change'); END;
CREATE TRIGGER ruta_cap_lost_reason_created_at AFTER UPDATE OF created_at ON lost_reason WHEN old.created_at IS NOT new.created_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('lost_reason', new.id, 'u', 'created_at', new.created_at, old.created_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_lost_reason_label AFTER UPDATE OF label ON lost_reason WHEN old.label IS NOT new.label COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('lost_reason', new.id, 'u', 'label', new.label, old.label__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_lost_reason_active AFTER UPDATE OF active ON lost_reason WHEN old.active IS NOT new.active COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('lost_reason', new.id, 'u', 'active', new.active, old.active__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_lost_reason_deleted_at AFTER UPDATE OF deleted_at ON lost_reason WHEN old.deleted_at IS NOT new.deleted_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('lost_reason', new.id, CASE WHEN new.deleted_at IS NULL THEN 'u' ELSE 'd' END, 'deleted_at', new.deleted_at, old.deleted_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_tomb_lost_reason BEFORE DELETE ON lost_reason BEGIN
 UPDATE lost_reason SET deleted_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = old.id AND deleted_at IS NULL;
 SELECT RAISE(IGNORE);
END;
CREATE TRIGGER ruta_cap_account_ins AFTER INSERT ON account WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t)
 SELECT 'account', new.id, 'i', 'created_at', new.created_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.created_at IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'name', new.name, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.name IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'legal_name', new.legal_name, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.legal_name IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'tax_id', new.tax_id, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.tax_id IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'tax_id_norm', new.tax_id_norm, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.tax_id_norm IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'lifecycle', new.lifecycle, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.lifecycle IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'sector', new.sector, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.sector IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'region', new.region, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.region IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'sales_channel', new.sales_channel, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.sales_channel IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'website', new.website, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.website IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'phone', new.phone, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.phone IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'email', new.email, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.email IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'street', new.street, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.street IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'city', new.city, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.city IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'postal_code', new.postal_code, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.postal_code IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'country', new.country, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.country IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'employees', new.employees, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.employees IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'owner', new.owner, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.owner IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'team', new.team, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.team IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'merged_into', new.merged_into, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.merged_into IS NOT NULL
 UNION ALL SELECT 'account', new.id, 'i', 'deleted_at', new.deleted_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.deleted_at IS NOT NULL
;
END;
CREATE TRIGGER ruta_fix_account_id BEFORE UPDATE OF id ON account BEGIN SELECT RAISE(ABORT, 'ruta: account ids never change'); END;
CREATE TRIGGER ruta_cap_account_created_at AFTER UPDATE OF created_at ON account WHEN old.created_at IS NOT new.created_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'created_at', new.created_at, old.created_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_name AFTER UPDATE OF name ON account WHEN old.name IS NOT new.name COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'name', new.name, old.name__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_legal_name AFTER UPDATE OF legal_name ON account WHEN old.legal_name IS NOT new.legal_name COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'legal_name', new.legal_name, old.legal_name__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_tax_id AFTER UPDATE OF tax_id ON account WHEN old.tax_id IS NOT new.tax_id COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'tax_id', new.tax_id, old.tax_id__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_tax_id_norm AFTER UPDATE OF tax_id_norm ON account WHEN old.tax_id_norm IS NOT new.tax_id_norm COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'tax_id_norm', new.tax_id_norm, old.tax_id_norm__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_lifecycle AFTER UPDATE OF lifecycle ON account WHEN old.lifecycle IS NOT new.lifecycle COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'lifecycle', new.lifecycle, old.lifecycle__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_sector AFTER UPDATE OF sector ON account WHEN old.sector IS NOT new.sector COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'sector', new.sector, old.sector__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_region AFTER UPDATE OF region ON account WHEN old.region IS NOT new.region COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'region', new.region, old.region__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_sales_channel AFTER UPDATE OF sales_channel ON account WHEN old.sales_channel IS NOT new.sales_channel COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'sales_channel', new.sales_channel, old.sales_channel__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_website AFTER UPDATE OF website ON account WHEN old.website IS NOT new.website COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'website', new.website, old.website__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_phone AFTER UPDATE OF phone ON account WHEN old.phone IS NOT new.phone COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'phone', new.phone, old.phone__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_email AFTER UPDATE OF email ON account WHEN old.email IS NOT new.email COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'email', new.email, old.email__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_street AFTER UPDATE OF street ON account WHEN old.street IS NOT new.street COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'street', new.street, old.street__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_city AFTER UPDATE OF city ON account WHEN old.city IS NOT new.city COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'city', new.city, old.city__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_postal_code AFTER UPDATE OF postal_code ON account WHEN old.postal_code IS NOT new.postal_code COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'postal_code', new.postal_code, old.postal_code__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_country AFTER UPDATE OF country ON account WHEN old.country IS NOT new.country COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'country', new.country, old.country__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_employees AFTER UPDATE OF employees ON account WHEN old.employees IS NOT new.employees COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'employees', new.employees, old.employees__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_owner AFTER UPDATE OF owner ON account WHEN old.owner IS NOT new.owner COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'owner', new.owner, old.owner__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_team AFTER UPDATE OF team ON account WHEN old.team IS NOT new.team COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'team', new.team, old.team__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_merged_into AFTER UPDATE OF merged_into ON account WHEN old.merged_into IS NOT new.merged_into COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, 'u', 'merged_into', new.merged_into, old.merged_into__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_account_deleted_at AFTER UPDATE OF deleted_at ON account WHEN old.deleted_at IS NOT new.deleted_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('account', new.id, CASE WHEN new.deleted_at IS NULL THEN 'u' ELSE 'd' END, 'deleted_at', new.deleted_at, old.deleted_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_tomb_account BEFORE DELETE ON account BEGIN
 UPDATE account SET deleted_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = old.id AND deleted_at IS NULL;
 SELECT RAISE(IGNORE);
END;
CREATE TRIGGER ruta_cap_contact_ins AFTER INSERT ON contact WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t)
 SELECT 'contact', new.id, 'i', 'created_at', new.created_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.created_at IS NOT NULL
 UNION ALL SELECT 'contact', new.id, 'i', 'account_id', new.account_id, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.account_id IS NOT NULL
 UNION ALL SELECT 'contact', new.id, 'i', 'first_name', new.first_name, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.first_name IS NOT NULL
 UNION ALL SELECT 'contact', new.id, 'i', 'last_name', new.last_name, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.last_name IS NOT NULL
 UNION ALL SELECT 'contact', new.id, 'i', 'title', new.title, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.title IS NOT NULL
 UNION ALL SELECT 'contact', new.id, 'i', 'lifecycle', new.lifecycle, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.lifecycle IS NOT NULL
 UNION ALL SELECT 'contact', new.id, 'i', 'do_not_call', new.do_not_call, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.do_not_call IS NOT NULL
 UNION ALL SELECT 'contact', new.id, 'i', 'street', new.street, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.street IS NOT NULL
 UNION ALL SELECT 'contact', new.id, 'i', 'city', new.city, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.city IS NOT NULL
 UNION ALL SELECT 'contact', new.id, 'i', 'postal_code', new.postal_code, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.postal_code IS NOT NULL
 UNION ALL SELECT 'contact', new.id, 'i', 'country', new.country, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.country IS NOT NULL
 UNION ALL SELECT 'contact', new.id, 'i', 'owner', new.owner, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.owner IS NOT NULL
 UNION ALL SELECT 'contact', new.id, 'i', 'team', new.team, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.team IS NOT NULL
 UNION ALL SELECT 'contact', new.id, 'i', 'merged_into', new.merged_into, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.merged_into IS NOT NULL
 UNION ALL SELECT 'contact', new.id, 'i', 'deleted_at', new.deleted_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.deleted_at IS NOT NULL
;
END;
CREATE TRIGGER ruta_fix_contact_id BEFORE UPDATE OF id ON contact BEGIN SELECT RAISE(ABORT, 'ruta: contact ids never change'); END;
CREATE TRIGGER ruta_cap_contact_created_at AFTER UPDATE OF created_at ON contact WHEN old.created_at IS NOT new.created_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact', new.id, 'u', 'created_at', new.created_at, old.created_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_account_id AFTER UPDATE OF account_id ON contact WHEN old.account_id IS NOT new.account_id COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact', new.id, 'u', 'account_id', new.account_id, old.account_id__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_first_name AFTER UPDATE OF first_name ON contact WHEN old.first_name IS NOT new.first_name COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact', new.id, 'u', 'first_name', new.first_name, old.first_name__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_last_name AFTER UPDATE OF last_name ON contact WHEN old.last_name IS NOT new.last_name COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact', new.id, 'u', 'last_name', new.last_name, old.last_name__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_title AFTER UPDATE OF title ON contact WHEN old.title IS NOT new.title COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact', new.id, 'u', 'title', new.title, old.title__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_lifecycle AFTER UPDATE OF lifecycle ON contact WHEN old.lifecycle IS NOT new.lifecycle COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact', new.id, 'u', 'lifecycle', new.lifecycle, old.lifecycle__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_do_not_call AFTER UPDATE OF do_not_call ON contact WHEN old.do_not_call IS NOT new.do_not_call COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact', new.id, 'u', 'do_not_call', new.do_not_call, old.do_not_call__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_street AFTER UPDATE OF street ON contact WHEN old.street IS NOT new.street COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact', new.id, 'u', 'street', new.street, old.street__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_city AFTER UPDATE OF city ON contact WHEN old.city IS NOT new.city COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact', new.id, 'u', 'city', new.city, old.city__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_postal_code AFTER UPDATE OF postal_code ON contact WHEN old.postal_code IS NOT new.postal_code COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact', new.id, 'u', 'postal_code', new.postal_code, old.postal_code__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_country AFTER UPDATE OF country ON contact WHEN old.country IS NOT new.country COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact', new.id, 'u', 'country', new.country, old.country__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_owner AFTER UPDATE OF owner ON contact WHEN old.owner IS NOT new.owner COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact', new.id, 'u', 'owner', new.owner, old.owner__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_team AFTER UPDATE OF team ON contact WHEN old.team IS NOT new.team COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact', new.id, 'u', 'team', new.team, old.team__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_merged_into AFTER UPDATE OF merged_into ON contact WHEN old.merged_into IS NOT new.merged_into COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact', new.id, 'u', 'merged_into', new.merged_into, old.merged_into__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_deleted_at AFTER UPDATE OF deleted_at ON contact WHEN old.deleted_at IS NOT new.deleted_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact', new.id, CASE WHEN new.deleted_at IS NULL THEN 'u' ELSE 'd' END, 'deleted_at', new.deleted_at, old.deleted_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_tomb_contact BEFORE DELETE ON contact BEGIN
 UPDATE contact SET deleted_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = old.id AND deleted_at IS NULL;
 SELECT RAISE(IGNORE);
END;
CREATE TRIGGER ruta_cap_contact_email_ins AFTER INSERT ON contact_email WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t)
 SELECT 'contact_email', new.id, 'i', 'created_at', new.created_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.created_at IS NOT NULL
 UNION ALL SELECT 'contact_email', new.id, 'i', 'contact_id', new.contact_id, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.contact_id IS NOT NULL
 UNION ALL SELECT 'contact_email', new.id, 'i', 'email', new.email, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.email IS NOT NULL
 UNION ALL SELECT 'contact_email', new.id, 'i', 'email_norm', new.email_norm, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.email_norm IS NOT NULL
 UNION ALL SELECT 'contact_email', new.id, 'i', 'kind', new.kind, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.kind IS NOT NULL
 UNION ALL SELECT 'contact_email', new.id, 'i', 'is_primary', new.is_primary, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.is_primary IS NOT NULL
 UNION ALL SELECT 'contact_email', new.id, 'i', 'deleted_at', new.deleted_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.deleted_at IS NOT NULL
;
END;
CREATE TRIGGER ruta_fix_contact_email_id BEFORE UPDATE OF id ON contact_email BEGIN SELECT RAISE(ABORT, 'ruta: contact email ids never change'); END;
CREATE TRIGGER ruta_cap_contact_email_created_at AFTER UPDATE OF created_at ON contact_email WHEN old.created_at IS NOT new.created_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact_email', new.id, 'u', 'created_at', new.created_at, old.created_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_email_contact_id AFTER UPDATE OF contact_id ON contact_email WHEN old.contact_id IS NOT new.contact_id COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact_email', new.id, 'u', 'contact_id', new.contact_id, old.contact_id__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_email_email AFTER UPDATE OF email ON contact_email WHEN old.email IS NOT new.email COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact_email', new.id, 'u', 'email', new.email, old.email__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_email_email_norm AFTER UPDATE OF email_norm ON contact_email WHEN old.email_norm IS NOT new.email_norm COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact_email', new.id, 'u', 'email_norm', new.email_norm, old.email_norm__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_email_kind AFTER UPDATE OF kind ON contact_email WHEN old.kind IS NOT new.kind COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact_email', new.id, 'u', 'kind', new.kind, old.kind__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_email_is_primary AFTER UPDATE OF is_primary ON contact_email WHEN old.is_primary IS NOT new.is_primary COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact_email', new.id, 'u', 'is_primary', new.is_primary, old.is_primary__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_email_deleted_at AFTER UPDATE OF deleted_at ON contact_email WHEN old.deleted_at IS NOT new.deleted_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact_email', new.id, CASE WHEN new.deleted_at IS NULL THEN 'u' ELSE 'd' END, 'deleted_at', new.deleted_at, old.deleted_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_tomb_contact_email BEFORE DELETE ON contact_email BEGIN
 UPDATE contact_email SET deleted_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = old.id AND deleted_at IS NULL;
 SELECT RAISE(IGNORE);
END;
CREATE TRIGGER ruta_cap_contact_phone_ins AFTER INSERT ON contact_phone WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t)
 SELECT 'contact_phone', new.id, 'i', 'created_at', new.created_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.created_at IS NOT NULL
 UNION ALL SELECT 'contact_phone', new.id, 'i', 'contact_id', new.contact_id, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.contact_id IS NOT NULL
 UNION ALL SELECT 'contact_phone', new.id, 'i', 'phone', new.phone, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.phone IS NOT NULL
 UNION ALL SELECT 'contact_phone', new.id, 'i', 'e164', new.e164, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.e164 IS NOT NULL
 UNION ALL SELECT 'contact_phone', new.id, 'i', 'kind', new.kind, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.kind IS NOT NULL
 UNION ALL SELECT 'contact_phone', new.id, 'i', 'is_primary', new.is_primary, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.is_primary IS NOT NULL
 UNION ALL SELECT 'contact_phone', new.id, 'i', 'deleted_at', new.deleted_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.deleted_at IS NOT NULL
;
END;
CREATE TRIGGER ruta_fix_contact_phone_id BEFORE UPDATE OF id ON contact_phone BEGIN SELECT RAISE(ABORT, 'ruta: contact phone ids never change'); END;
CREATE TRIGGER ruta_cap_contact_phone_created_at AFTER UPDATE OF created_at ON contact_phone WHEN old.created_at IS NOT new.created_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact_phone', new.id, 'u', 'created_at', new.created_at, old.created_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_phone_contact_id AFTER UPDATE OF contact_id ON contact_phone WHEN old.contact_id IS NOT new.contact_id COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact_phone', new.id, 'u', 'contact_id', new.contact_id, old.contact_id__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_phone_phone AFTER UPDATE OF phone ON contact_phone WHEN old.phone IS NOT new.phone COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact_phone', new.id, 'u', 'phone', new.phone, old.phone__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_phone_e164 AFTER UPDATE OF e164 ON contact_phone WHEN old.e164 IS NOT new.e164 COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact_phone', new.id, 'u', 'e164', new.e164, old.e164__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_phone_kind AFTER UPDATE OF kind ON contact_phone WHEN old.kind IS NOT new.kind COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact_phone', new.id, 'u', 'kind', new.kind, old.kind__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_phone_is_primary AFTER UPDATE OF is_primary ON contact_phone WHEN old.is_primary IS NOT new.is_primary COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact_phone', new.id, 'u', 'is_primary', new.is_primary, old.is_primary__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_contact_phone_deleted_at AFTER UPDATE OF deleted_at ON contact_phone WHEN old.deleted_at IS NOT new.deleted_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('contact_phone', new.id, CASE WHEN new.deleted_at IS NULL THEN 'u' ELSE 'd' END, 'deleted_at', new.deleted_at, old.deleted_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_tomb_contact_phone BEFORE DELETE ON contact_phone BEGIN
 UPDATE contact_phone SET deleted_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = old.id AND deleted_at IS NULL;
 SELECT RAISE(IGNORE);
END;
CREATE TRIGGER ruta_cap_opportunity_ins AFTER INSERT ON opportunity WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t)
 SELECT 'opportunity', new.id, 'i', 'created_at', new.created_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.created_at IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'account_id', new.account_id, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.account_id IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'name', new.name, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.name IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'stage', new.stage, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.stage IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'probability', new.probability, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.probability IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'probability_manual', new.probability_manual, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.probability_manual IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'amount_minor', new.amount_minor, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.amount_minor IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'currency', new.currency, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.currency IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'expected_close', new.expected_close, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.expected_close IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'contact_id', new.contact_id, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.contact_id IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'next_step', new.next_step, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.next_step IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'lead_source', new.lead_source, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.lead_source IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'lost_reason', new.lost_reason, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.lost_reason IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'lost_note', new.lost_note, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.lost_note IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'stage_changed_at', new.stage_changed_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.stage_changed_at IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'closed_at', new.closed_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.closed_at IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'owner', new.owner, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.owner IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'team', new.team, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.team IS NOT NULL
 UNION ALL SELECT 'opportunity', new.id, 'i', 'deleted_at', new.deleted_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.deleted_at IS NOT NULL
;
END;
CREATE TRIGGER ruta_fix_opportunity_id BEFORE UPDATE OF id ON opportunity BEGIN SELECT RAISE(ABORT, 'ruta: opportunity ids never change'); END;
CREATE TRIGGER ruta_cap_opportunity_created_at AFTER UPDATE OF created_at ON opportunity WHEN old.created_at IS NOT new.created_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'created_at', new.created_at, old.created_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_account_id AFTER UPDATE OF account_id ON opportunity WHEN old.account_id IS NOT new.account_id COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'account_id', new.account_id, old.account_id__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_name AFTER UPDATE OF name ON opportunity WHEN old.name IS NOT new.name COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'name', new.name, old.name__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_stage AFTER UPDATE OF stage ON opportunity WHEN old.stage IS NOT new.stage COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'stage', new.stage, old.stage__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_probability AFTER UPDATE OF probability ON opportunity WHEN old.probability IS NOT new.probability COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'probability', new.probability, old.probability__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_probability_manual AFTER UPDATE OF probability_manual ON opportunity WHEN old.probability_manual IS NOT new.probability_manual COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'probability_manual', new.probability_manual, old.probability_manual__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_amount_minor AFTER UPDATE OF amount_minor ON opportunity WHEN old.amount_minor IS NOT new.amount_minor COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'amount_minor', new.amount_minor, old.amount_minor__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_currency AFTER UPDATE OF currency ON opportunity WHEN old.currency IS NOT new.currency COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'currency', new.currency, old.currency__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_expected_close AFTER UPDATE OF expected_close ON opportunity WHEN old.expected_close IS NOT new.expected_close COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'expected_close', new.expected_close, old.expected_close__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_contact_id AFTER UPDATE OF contact_id ON opportunity WHEN old.contact_id IS NOT new.contact_id COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'contact_id', new.contact_id, old.contact_id__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_next_step AFTER UPDATE OF next_step ON opportunity WHEN old.next_step IS NOT new.next_step COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'next_step', new.next_step, old.next_step__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_lead_source AFTER UPDATE OF lead_source ON opportunity WHEN old.lead_source IS NOT new.lead_source COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'lead_source', new.lead_source, old.lead_source__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_lost_reason AFTER UPDATE OF lost_reason ON opportunity WHEN old.lost_reason IS NOT new.lost_reason COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'lost_reason', new.lost_reason, old.lost_reason__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_lost_note AFTER UPDATE OF lost_note ON opportunity WHEN old.lost_note IS NOT new.lost_note COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'lost_note', new.lost_note, old.lost_note__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_stage_changed_at AFTER UPDATE OF stage_changed_at ON opportunity WHEN old.stage_changed_at IS NOT new.stage_changed_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'stage_changed_at', new.stage_changed_at, old.stage_changed_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_closed_at AFTER UPDATE OF closed_at ON opportunity WHEN old.closed_at IS NOT new.closed_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'closed_at', new.closed_at, old.closed_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_owner AFTER UPDATE OF owner ON opportunity WHEN old.owner IS NOT new.owner COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'owner', new.owner, old.owner__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_team AFTER UPDATE OF team ON opportunity WHEN old.team IS NOT new.team COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, 'u', 'team', new.team, old.team__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_opportunity_deleted_at AFTER UPDATE OF deleted_at ON opportunity WHEN old.deleted_at IS NOT new.deleted_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('opportunity', new.id, CASE WHEN new.deleted_at IS NULL THEN 'u' ELSE 'd' END, 'deleted_at', new.deleted_at, old.deleted_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_tomb_opportunity BEFORE DELETE ON opportunity BEGIN
 UPDATE opportunity SET deleted_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = old.id AND deleted_at IS NULL;
 SELECT RAISE(IGNORE);
END;
CREATE TRIGGER ruta_cap_opportunity_stage_history_ins AFTER INSERT ON opportunity_stage_history WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t)
 SELECT 'opportunity_stage_history', new.id, 'i', 'created_at', new.created_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.created_at IS NOT NULL
 UNION ALL SELECT 'opportunity_stage_history', new.id, 'i', 'opportunity_id', new.opportunity_id, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.opportunity_id IS NOT NULL
 UNION ALL SELECT 'opportunity_stage_history', new.id, 'i', 'from_stage', new.from_stage, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.from_stage IS NOT NULL
 UNION ALL SELECT 'opportunity_stage_history', new.id, 'i', 'to_stage', new.to_stage, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.to_stage IS NOT NULL
 UNION ALL SELECT 'opportunity_stage_history', new.id, 'i', 'at', new.at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.at IS NOT NULL
 UNION ALL SELECT 'opportunity_stage_history', new.id, 'i', 'replica', new.replica, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.replica IS NOT NULL
 UNION ALL SELECT 'opportunity_stage_history', new.id, 'i', 'deleted_at', new.deleted_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.deleted_at IS NOT NULL
;
END;
CREATE TRIGGER ruta_fix_opportunity_stage_history_id BEFORE UPDATE OF id ON opportunity_stage_history BEGIN SELECT RAISE(ABORT, 'ruta: stage history ids never change'); END;
CREATE TRIGGER ruta_fix_opportunity_stage_history_upd BEFORE UPDATE OF created_at, deleted_at, opportunity_id, from_stage, to_stage, at, replica ON opportunity_stage_history WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN SELECT RAISE(ABORT, 'ruta: stage history is append-only'); END;
CREATE TRIGGER ruta_fix_opportunity_stage_history_del BEFORE DELETE ON opportunity_stage_history BEGIN SELECT RAISE(ABORT, 'ruta: stage history is append-only'); END;
CREATE TRIGGER ruta_cap_activity_ins AFTER INSERT ON activity WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t)
 SELECT 'activity', new.id, 'i', 'created_at', new.created_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.created_at IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'kind', new.kind, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.kind IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'status', new.status, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.status IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'subject', new.subject, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.subject IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'account_id', new.account_id, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.account_id IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'contact_id', new.contact_id, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.contact_id IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'opportunity_id', new.opportunity_id, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.opportunity_id IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'planned_start', new.planned_start, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.planned_start IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'planned_end', new.planned_end, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.planned_end IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'held_start', new.held_start, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.held_start IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'held_end', new.held_end, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.held_end IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'not_held_reason', new.not_held_reason, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.not_held_reason IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'location', new.location, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.location IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'notes', new.notes, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.notes IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'owner', new.owner, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.owner IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'team', new.team, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.team IS NOT NULL
 UNION ALL SELECT 'activity', new.id, 'i', 'deleted_at', new.deleted_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.deleted_at IS NOT NULL
;
END;
CREATE TRIGGER ruta_fix_activity_id BEFORE UPDATE OF id ON activity BEGIN SELECT RAISE(ABORT, 'ruta: activity ids never change'); END;
CREATE TRIGGER ruta_cap_activity_created_at AFTER UPDATE OF created_at ON activity WHEN old.created_at IS NOT new.created_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'created_at', new.created_at, old.created_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_kind AFTER UPDATE OF kind ON activity WHEN old.kind IS NOT new.kind COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'kind', new.kind, old.kind__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_status AFTER UPDATE OF status ON activity WHEN old.status IS NOT new.status COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'status', new.status, old.status__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_subject AFTER UPDATE OF subject ON activity WHEN old.subject IS NOT new.subject COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'subject', new.subject, old.subject__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_account_id AFTER UPDATE OF account_id ON activity WHEN old.account_id IS NOT new.account_id COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'account_id', new.account_id, old.account_id__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_contact_id AFTER UPDATE OF contact_id ON activity WHEN old.contact_id IS NOT new.contact_id COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'contact_id', new.contact_id, old.contact_id__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_opportunity_id AFTER UPDATE OF opportunity_id ON activity WHEN old.opportunity_id IS NOT new.opportunity_id COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'opportunity_id', new.opportunity_id, old.opportunity_id__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_planned_start AFTER UPDATE OF planned_start ON activity WHEN old.planned_start IS NOT new.planned_start COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'planned_start', new.planned_start, old.planned_start__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_planned_end AFTER UPDATE OF planned_end ON activity WHEN old.planned_end IS NOT new.planned_end COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'planned_end', new.planned_end, old.planned_end__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_held_start AFTER UPDATE OF held_start ON activity WHEN old.held_start IS NOT new.held_start COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'held_start', new.held_start, old.held_start__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_held_end AFTER UPDATE OF held_end ON activity WHEN old.held_end IS NOT new.held_end COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'held_end', new.held_end, old.held_end__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_not_held_reason AFTER UPDATE OF not_held_reason ON activity WHEN old.not_held_reason IS NOT new.not_held_reason COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'not_held_reason', new.not_held_reason, old.not_held_reason__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_location AFTER UPDATE OF location ON activity WHEN old.location IS NOT new.location COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'location', new.location, old.location__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_notes AFTER UPDATE OF notes ON activity WHEN old.notes IS NOT new.notes COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'notes', new.notes, old.notes__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_owner AFTER UPDATE OF owner ON activity WHEN old.owner IS NOT new.owner COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'owner', new.owner, old.owner__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_team AFTER UPDATE OF team ON activity WHEN old.team IS NOT new.team COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, 'u', 'team', new.team, old.team__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_activity_deleted_at AFTER UPDATE OF deleted_at ON activity WHEN old.deleted_at IS NOT new.deleted_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('activity', new.id, CASE WHEN new.deleted_at IS NULL THEN 'u' ELSE 'd' END, 'deleted_at', new.deleted_at, old.deleted_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_tomb_activity BEFORE DELETE ON activity BEGIN
 UPDATE activity SET deleted_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = old.id AND deleted_at IS NULL;
 SELECT RAISE(IGNORE);
END;
CREATE TRIGGER ruta_cap_offer_ins AFTER INSERT ON offer WHEN (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t)
 SELECT 'offer', new.id, 'i', 'created_at', new.created_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.created_at IS NOT NULL
 UNION ALL SELECT 'offer', new.id, 'i', 'opportunity_id', new.opportunity_id, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.opportunity_id IS NOT NULL
 UNION ALL SELECT 'offer', new.id, 'i', 'number', new.number, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.number IS NOT NULL
 UNION ALL SELECT 'offer', new.id, 'i', 'revision', new.revision, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.revision IS NOT NULL
 UNION ALL SELECT 'offer', new.id, 'i', 'status', new.status, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.status IS NOT NULL
 UNION ALL SELECT 'offer', new.id, 'i', 'total_minor', new.total_minor, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.total_minor IS NOT NULL
 UNION ALL SELECT 'offer', new.id, 'i', 'currency', new.currency, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.currency IS NOT NULL
 UNION ALL SELECT 'offer', new.id, 'i', 'valid_until', new.valid_until, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.valid_until IS NOT NULL
 UNION ALL SELECT 'offer', new.id, 'i', 'description', new.description, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.description IS NOT NULL
 UNION ALL SELECT 'offer', new.id, 'i', 'sent_at', new.sent_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.sent_at IS NOT NULL
 UNION ALL SELECT 'offer', new.id, 'i', 'decided_at', new.decided_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.decided_at IS NOT NULL
 UNION ALL SELECT 'offer', new.id, 'i', 'revises', new.revises, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.revises IS NOT NULL
 UNION ALL SELECT 'offer', new.id, 'i', 'owner', new.owner, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.owner IS NOT NULL
 UNION ALL SELECT 'offer', new.id, 'i', 'team', new.team, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.team IS NOT NULL
 UNION ALL SELECT 'offer', new.id, 'i', 'deleted_at', new.deleted_at, 0, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) WHERE new.deleted_at IS NOT NULL
;
END;
CREATE TRIGGER ruta_fix_offer_id BEFORE UPDATE OF id ON offer BEGIN SELECT RAISE(ABORT, 'ruta: offer ids never change'); END;
CREATE TRIGGER ruta_cap_offer_created_at AFTER UPDATE OF created_at ON offer WHEN old.created_at IS NOT new.created_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('offer', new.id, 'u', 'created_at', new.created_at, old.created_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_offer_opportunity_id AFTER UPDATE OF opportunity_id ON offer WHEN old.opportunity_id IS NOT new.opportunity_id COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('offer', new.id, 'u', 'opportunity_id', new.opportunity_id, old.opportunity_id__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_offer_number AFTER UPDATE OF number ON offer WHEN old.number IS NOT new.number COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('offer', new.id, 'u', 'number', new.number, old.number__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_offer_revision AFTER UPDATE OF revision ON offer WHEN old.revision IS NOT new.revision COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('offer', new.id, 'u', 'revision', new.revision, old.revision__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_offer_status AFTER UPDATE OF status ON offer WHEN old.status IS NOT new.status COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('offer', new.id, 'u', 'status', new.status, old.status__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_offer_total_minor AFTER UPDATE OF total_minor ON offer WHEN old.total_minor IS NOT new.total_minor COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('offer', new.id, 'u', 'total_minor', new.total_minor, old.total_minor__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_offer_currency AFTER UPDATE OF currency ON offer WHEN old.currency IS NOT new.currency COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('offer', new.id, 'u', 'currency', new.currency, old.currency__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_offer_valid_until AFTER UPDATE OF valid_until ON offer WHEN old.valid_until IS NOT new.valid_until COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('offer', new.id, 'u', 'valid_until', new.valid_until, old.valid_until__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_offer_description AFTER UPDATE OF description ON offer WHEN old.description IS NOT new.description COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('offer', new.id, 'u', 'description', new.description, old.description__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_offer_sent_at AFTER UPDATE OF sent_at ON offer WHEN old.sent_at IS NOT new.sent_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('offer', new.id, 'u', 'sent_at', new.sent_at, old.sent_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_offer_decided_at AFTER UPDATE OF decided_at ON offer WHEN old.decided_at IS NOT new.decided_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('offer', new.id, 'u', 'decided_at', new.decided_at, old.decided_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_offer_revises AFTER UPDATE OF revises ON offer WHEN old.revises IS NOT new.revises COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('offer', new.id, 'u', 'revises', new.revises, old.revises__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_offer_owner AFTER UPDATE OF owner ON offer WHEN old.owner IS NOT new.owner COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('offer', new.id, 'u', 'owner', new.owner, old.owner__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_offer_team AFTER UPDATE OF team ON offer WHEN old.team IS NOT new.team COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('offer', new.id, 'u', 'team', new.team, old.team__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_cap_offer_deleted_at AFTER UPDATE OF deleted_at ON offer WHEN old.deleted_at IS NOT new.deleted_at COLLATE BINARY AND (SELECT applying FROM ruta_sync_state WHERE k = 0) = 0 BEGIN
 INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('offer', new.id, CASE WHEN new.deleted_at IS NULL THEN 'u' ELSE 'd' END, 'deleted_at', new.deleted_at, old.deleted_at__v, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
END;
CREATE TRIGGER ruta_tomb_offer BEFORE DELETE ON offer BEGIN
 UPDATE offer SET deleted_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = old.id AND deleted_at IS NULL;
 SELECT RAISE(IGNORE);
END;
COMMIT;
PRAGMA user_version = 3;
