-- index ix_agreement_concluded_on
CREATE INDEX ix_agreement_concluded_on ON agreement (concluded_on);
-- index ix_agreement_partner_organization_id
CREATE INDEX ix_agreement_partner_organization_id ON agreement_partner (organization_id);
-- index ix_agreement_status
CREATE INDEX ix_agreement_status ON agreement (status);
-- index ix_audit_log_changed_at
CREATE INDEX ix_audit_log_changed_at ON audit_log (changed_at);
-- index ix_audit_log_table_name_row_id
CREATE INDEX ix_audit_log_table_name_row_id ON audit_log (table_name, row_id);
-- index ix_audit_log_unsealed
CREATE INDEX ix_audit_log_unsealed ON audit_log (id) WHERE chain_hash IS NULL;
-- index ix_contact_organization_id
CREATE INDEX ix_contact_organization_id ON contact (organization_id);
-- index ix_issued_report_fiscal_year_quarter
CREATE INDEX ix_issued_report_fiscal_year_quarter ON issued_report (fiscal_year, quarter);
-- index ix_kpi_measurement_kpi_id_measured_on
CREATE INDEX ix_kpi_measurement_kpi_id_measured_on ON kpi_measurement (kpi_id, measured_on);
-- index ix_meeting_contact_contact_id
CREATE INDEX ix_meeting_contact_contact_id ON meeting_contact (contact_id);
-- index ix_meeting_follow_up_on
CREATE INDEX ix_meeting_follow_up_on ON meeting (follow_up_on);
-- index ix_meeting_held_on_id
CREATE INDEX ix_meeting_held_on_id ON meeting (held_on, id);
-- index ix_meeting_organization_organization_id
CREATE INDEX ix_meeting_organization_organization_id ON meeting_organization (organization_id);
-- index ix_meeting_staff_staff_id
CREATE INDEX ix_meeting_staff_staff_id ON meeting_staff (staff_id);
-- index ix_organization_kana_sort_key
CREATE INDEX ix_organization_kana_sort_key ON organization (kana_sort_key);
-- index ix_organization_kind
CREATE INDEX ix_organization_kind ON organization (kind);
-- index ix_organization_merge_kept_id
CREATE INDEX ix_organization_merge_kept_id ON organization_merge (kept_id);
-- index ix_organization_merge_merged_id
CREATE INDEX ix_organization_merge_merged_id ON organization_merge (merged_id);
-- index ix_organization_normalized_name
CREATE INDEX ix_organization_normalized_name ON organization (normalized_name);
-- index ix_outreach_event_held_on
CREATE INDEX ix_outreach_event_held_on ON outreach_event (held_on);
-- index ix_outreach_event_kind_held_on
CREATE INDEX ix_outreach_event_kind_held_on ON outreach_event (kind, held_on, archived_at);
-- index ix_outreach_event_staff_staff_id
CREATE INDEX ix_outreach_event_staff_staff_id ON outreach_event_staff (staff_id);
-- index uq_organization_corporate_number_active
CREATE UNIQUE INDEX uq_organization_corporate_number_active ON organization (corporate_number) WHERE archived_at IS NULL AND corporate_number IS NOT NULL;
-- index uq_organization_normalized_name_active
CREATE UNIQUE INDEX uq_organization_normalized_name_active ON organization (normalized_name) WHERE archived_at IS NULL;
-- table agreement
CREATE TABLE agreement (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR(100) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by VARCHAR(100) NOT NULL, 
	archived_at DATETIME, 
	archived_by VARCHAR(100), 
	title VARCHAR(300) NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	concluded_on DATE, 
	starts_on DATE, 
	ends_on DATE, 
	datasets VARCHAR, 
	document_ref VARCHAR(300), 
	notes VARCHAR, 
	CONSTRAINT pk_agreement PRIMARY KEY (id), 
	CONSTRAINT ck_agreement_concluded_on_matches_status CHECK ((status IN ('proposed', 'negotiating') AND concluded_on IS NULL) OR (status IN ('concluded', 'ended') AND concluded_on IS NOT NULL) OR status = 'cancelled'), 
	CONSTRAINT ck_agreement_status CHECK (status IN ('proposed', 'negotiating', 'concluded', 'ended', 'cancelled')), 
	CONSTRAINT ck_agreement_term CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on), 
	CONSTRAINT ck_agreement_title_not_empty CHECK (length(trim(title)) > 0)
);
-- table agreement_partner
CREATE TABLE agreement_partner (
	agreement_id INTEGER NOT NULL, 
	organization_id INTEGER NOT NULL, 
	CONSTRAINT pk_agreement_partner PRIMARY KEY (agreement_id, organization_id), 
	CONSTRAINT fk_agreement_partner_agreement_id_agreement FOREIGN KEY(agreement_id) REFERENCES agreement (id) ON DELETE CASCADE, 
	CONSTRAINT fk_agreement_partner_organization_id_organization FOREIGN KEY(organization_id) REFERENCES organization (id)
);
-- table alembic_version
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
-- table audit_actor
CREATE TABLE audit_actor (
	id INTEGER NOT NULL, 
	actor VARCHAR(100), 
	CONSTRAINT pk_audit_actor PRIMARY KEY (id), 
	CONSTRAINT ck_audit_actor_single_row CHECK (id = 1)
);
-- table audit_log
CREATE TABLE audit_log (
	id INTEGER NOT NULL, 
	table_name VARCHAR(60) NOT NULL, 
	row_id INTEGER NOT NULL, 
	action VARCHAR(6) NOT NULL, 
	old_values VARCHAR, 
	new_values VARCHAR, 
	changed_at VARCHAR(24) NOT NULL, 
	changed_by VARCHAR(100) NOT NULL, 
	chain_hash VARCHAR(64), 
	CONSTRAINT pk_audit_log PRIMARY KEY (id), 
	CONSTRAINT ck_audit_log_action CHECK (action IN ('insert', 'update', 'delete'))
);
-- table contact
CREATE TABLE contact (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR(100) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by VARCHAR(100) NOT NULL, 
	archived_at DATETIME, 
	archived_by VARCHAR(100), 
	organization_id INTEGER NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	kana VARCHAR(100), 
	department VARCHAR(200), 
	title VARCHAR(100), 
	email VARCHAR(200), 
	phone VARCHAR(50), 
	notes VARCHAR, 
	CONSTRAINT pk_contact PRIMARY KEY (id), 
	CONSTRAINT fk_contact_organization_id_organization FOREIGN KEY(organization_id) REFERENCES organization (id)
);
-- table issued_report
CREATE TABLE issued_report (
	id INTEGER NOT NULL, 
	fiscal_year INTEGER NOT NULL, 
	quarter INTEGER, 
	lang VARCHAR(2) NOT NULL, 
	generated_at DATETIME NOT NULL, 
	issued_at DATETIME NOT NULL, 
	issued_by VARCHAR(100) NOT NULL, 
	fingerprint VARCHAR(64) NOT NULL, 
	pdf_sha256 VARCHAR(64) NOT NULL, 
	figures_json VARCHAR NOT NULL, 
	CONSTRAINT pk_issued_report PRIMARY KEY (id), 
	CONSTRAINT ck_issued_report_lang CHECK (lang IN ('ja', 'en')), 
	CONSTRAINT ck_issued_report_quarter CHECK (quarter IS NULL OR quarter BETWEEN 1 AND 4)
);
-- table kpi
CREATE TABLE kpi (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR(100) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by VARCHAR(100) NOT NULL, 
	archived_at DATETIME, 
	archived_by VARCHAR(100), 
	code VARCHAR(60) NOT NULL, 
	basic_policy INTEGER NOT NULL, 
	policy_ref VARCHAR(20) NOT NULL, 
	name_ja VARCHAR(200) NOT NULL, 
	name_en VARCHAR(200) NOT NULL, 
	unit VARCHAR(20) NOT NULL, 
	kind VARCHAR(10) NOT NULL, 
	rule VARCHAR(20) NOT NULL, 
	rule_param VARCHAR(30), 
	baseline FLOAT NOT NULL, 
	baseline_as_of DATE NOT NULL, 
	baseline_label VARCHAR(100), 
	target FLOAT NOT NULL, 
	target_by DATE NOT NULL, 
	target_label VARCHAR(100), 
	sort_order INTEGER DEFAULT '0' NOT NULL, 
	notes VARCHAR, 
	CONSTRAINT pk_kpi PRIMARY KEY (id), 
	CONSTRAINT ck_kpi_rule_matches_kind CHECK ((kind = 'computed' AND rule IN ('events', 'agreements', 'companies')) OR (kind = 'measured' AND rule IN ('level', 'annual', 'milestone'))), 
	CONSTRAINT ck_kpi_kind CHECK (kind IN ('computed', 'measured')), 
	CONSTRAINT ck_kpi_rule CHECK (rule IN ('events', 'agreements', 'companies', 'level', 'annual', 'milestone')), 
	CONSTRAINT ck_kpi_target_after_baseline CHECK (target_by > baseline_as_of), 
	CONSTRAINT uq_kpi_code UNIQUE (code)
);
-- table kpi_measurement
CREATE TABLE kpi_measurement (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR(100) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by VARCHAR(100) NOT NULL, 
	archived_at DATETIME, 
	archived_by VARCHAR(100), 
	kpi_id INTEGER NOT NULL, 
	measured_on DATE NOT NULL, 
	value FLOAT NOT NULL, 
	note VARCHAR, 
	entered_by VARCHAR(100) NOT NULL, 
	CONSTRAINT pk_kpi_measurement PRIMARY KEY (id), 
	CONSTRAINT fk_kpi_measurement_kpi_id_kpi FOREIGN KEY(kpi_id) REFERENCES kpi (id)
);
-- table meeting
CREATE TABLE meeting (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR(100) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by VARCHAR(100) NOT NULL, 
	archived_at DATETIME, 
	archived_by VARCHAR(100), 
	held_on DATE NOT NULL, 
	title VARCHAR(300) NOT NULL, 
	summary VARCHAR, 
	next_action VARCHAR, 
	follow_up_on DATE, 
	follow_up_done_on DATE, 
	CONSTRAINT pk_meeting PRIMARY KEY (id), 
	CONSTRAINT ck_meeting_follow_up_after_meeting CHECK (follow_up_on IS NULL OR follow_up_on >= held_on), 
	CONSTRAINT ck_meeting_title_not_empty CHECK (length(trim(title)) > 0)
);
-- table meeting_contact
CREATE TABLE meeting_contact (
	meeting_id INTEGER NOT NULL, 
	contact_id INTEGER NOT NULL, 
	CONSTRAINT pk_meeting_contact PRIMARY KEY (meeting_id, contact_id), 
	CONSTRAINT fk_meeting_contact_contact_id_contact FOREIGN KEY(contact_id) REFERENCES contact (id), 
	CONSTRAINT fk_meeting_contact_meeting_id_meeting FOREIGN KEY(meeting_id) REFERENCES meeting (id) ON DELETE CASCADE
);
-- table meeting_organization
CREATE TABLE meeting_organization (
	meeting_id INTEGER NOT NULL, 
	organization_id INTEGER NOT NULL, 
	CONSTRAINT pk_meeting_organization PRIMARY KEY (meeting_id, organization_id), 
	CONSTRAINT fk_meeting_organization_meeting_id_meeting FOREIGN KEY(meeting_id) REFERENCES meeting (id) ON DELETE CASCADE, 
	CONSTRAINT fk_meeting_organization_organization_id_organization FOREIGN KEY(organization_id) REFERENCES organization (id)
);
-- table meeting_staff
CREATE TABLE meeting_staff (
	meeting_id INTEGER NOT NULL, 
	staff_id INTEGER NOT NULL, 
	CONSTRAINT pk_meeting_staff PRIMARY KEY (meeting_id, staff_id), 
	CONSTRAINT fk_meeting_staff_meeting_id_meeting FOREIGN KEY(meeting_id) REFERENCES meeting (id) ON DELETE CASCADE, 
	CONSTRAINT fk_meeting_staff_staff_id_staff FOREIGN KEY(staff_id) REFERENCES staff (id)
);
-- table organization
CREATE TABLE organization (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR(100) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by VARCHAR(100) NOT NULL, 
	archived_at DATETIME, 
	archived_by VARCHAR(100), 
	name VARCHAR(200) NOT NULL, 
	normalized_name VARCHAR NOT NULL, 
	kana VARCHAR(200), 
	kana_sort_key VARCHAR, 
	kind VARCHAR(30) NOT NULL, 
	corporate_number VARCHAR(13), 
	address VARCHAR(300), 
	website VARCHAR(300), 
	notes VARCHAR, 
	CONSTRAINT pk_organization PRIMARY KEY (id), 
	CONSTRAINT ck_organization_kind CHECK (kind IN ('company', 'university', 'research_institute', 'government_agency', 'municipality', 'npo', 'other')), 
	CONSTRAINT ck_organization_corporate_number CHECK (corporate_number IS NULL OR length(corporate_number) = 13), 
	CONSTRAINT ck_organization_name_not_empty CHECK (length(trim(name)) > 0)
);
-- table organization_merge
CREATE TABLE organization_merge (
	id INTEGER NOT NULL, 
	kept_id INTEGER NOT NULL, 
	merged_id INTEGER NOT NULL, 
	merged_at DATETIME NOT NULL, 
	merged_by VARCHAR(100) NOT NULL, 
	moved_json VARCHAR NOT NULL, 
	undone_at DATETIME, 
	undone_by VARCHAR(100), 
	CONSTRAINT pk_organization_merge PRIMARY KEY (id), 
	CONSTRAINT ck_organization_merge_distinct_organizations CHECK (kept_id <> merged_id), 
	CONSTRAINT fk_organization_merge_kept_id_organization FOREIGN KEY(kept_id) REFERENCES organization (id), 
	CONSTRAINT fk_organization_merge_merged_id_organization FOREIGN KEY(merged_id) REFERENCES organization (id)
);
-- table outreach_event
CREATE TABLE outreach_event (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR(100) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by VARCHAR(100) NOT NULL, 
	archived_at DATETIME, 
	archived_by VARCHAR(100), 
	held_on DATE NOT NULL, 
	kind VARCHAR(20) NOT NULL, 
	title VARCHAR(300) NOT NULL, 
	venue VARCHAR(300), 
	municipality VARCHAR(100), 
	attendees INTEGER, 
	audience VARCHAR(300), 
	notes VARCHAR, 
	CONSTRAINT pk_outreach_event PRIMARY KEY (id), 
	CONSTRAINT ck_outreach_event_kind CHECK (kind IN ('in_city', 'out_of_city', 'lecture')), 
	CONSTRAINT ck_outreach_event_attendees CHECK (attendees IS NULL OR attendees >= 0), 
	CONSTRAINT ck_outreach_event_title_not_empty CHECK (length(trim(title)) > 0)
);
-- table outreach_event_staff
CREATE TABLE outreach_event_staff (
	outreach_event_id INTEGER NOT NULL, 
	staff_id INTEGER NOT NULL, 
	CONSTRAINT pk_outreach_event_staff PRIMARY KEY (outreach_event_id, staff_id), 
	CONSTRAINT fk_outreach_event_staff_outreach_event_id_outreach_event FOREIGN KEY(outreach_event_id) REFERENCES outreach_event (id) ON DELETE CASCADE, 
	CONSTRAINT fk_outreach_event_staff_staff_id_staff FOREIGN KEY(staff_id) REFERENCES staff (id)
);
-- table staff
CREATE TABLE staff (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR(100) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by VARCHAR(100) NOT NULL, 
	archived_at DATETIME, 
	archived_by VARCHAR(100), 
	name VARCHAR(100) NOT NULL, 
	kana VARCHAR(100), 
	section VARCHAR(200), 
	active BOOLEAN NOT NULL, 
	CONSTRAINT pk_staff PRIMARY KEY (id), 
	CONSTRAINT uq_staff_name UNIQUE (name)
);
-- trigger audit_agreement_delete
CREATE TRIGGER audit_agreement_delete AFTER DELETE ON "agreement"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('agreement', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'title', OLD."title", 'status', OLD."status", 'concluded_on', OLD."concluded_on", 'starts_on', OLD."starts_on", 'ends_on', OLD."ends_on", 'datasets', OLD."datasets", 'document_ref', OLD."document_ref", 'notes', OLD."notes"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_agreement_insert
CREATE TRIGGER audit_agreement_insert AFTER INSERT ON "agreement"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('agreement', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'title', NEW."title", 'status', NEW."status", 'concluded_on', NEW."concluded_on", 'starts_on', NEW."starts_on", 'ends_on', NEW."ends_on", 'datasets', NEW."datasets", 'document_ref', NEW."document_ref", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_agreement_partner_delete
CREATE TRIGGER audit_agreement_partner_delete AFTER DELETE ON "agreement_partner"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('agreement_partner', OLD."agreement_id", 'delete', json_object('agreement_id', OLD."agreement_id", 'organization_id', OLD."organization_id"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_agreement_partner_insert
CREATE TRIGGER audit_agreement_partner_insert AFTER INSERT ON "agreement_partner"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('agreement_partner', NEW."agreement_id", 'insert', NULL, json_object('agreement_id', NEW."agreement_id", 'organization_id', NEW."organization_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_agreement_partner_update
CREATE TRIGGER audit_agreement_partner_update AFTER UPDATE ON "agreement_partner"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('agreement_partner', NEW."agreement_id", 'update', json_object('agreement_id', OLD."agreement_id", 'organization_id', OLD."organization_id"), json_object('agreement_id', NEW."agreement_id", 'organization_id', NEW."organization_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_agreement_update
CREATE TRIGGER audit_agreement_update AFTER UPDATE ON "agreement"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('agreement', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'title', OLD."title", 'status', OLD."status", 'concluded_on', OLD."concluded_on", 'starts_on', OLD."starts_on", 'ends_on', OLD."ends_on", 'datasets', OLD."datasets", 'document_ref', OLD."document_ref", 'notes', OLD."notes"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'title', NEW."title", 'status', NEW."status", 'concluded_on', NEW."concluded_on", 'starts_on', NEW."starts_on", 'ends_on', NEW."ends_on", 'datasets', NEW."datasets", 'document_ref', NEW."document_ref", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_contact_delete
CREATE TRIGGER audit_contact_delete AFTER DELETE ON "contact"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('contact', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'organization_id', OLD."organization_id", 'name', OLD."name", 'kana', OLD."kana", 'department', OLD."department", 'title', OLD."title", 'email', OLD."email", 'phone', OLD."phone", 'notes', OLD."notes"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_contact_insert
CREATE TRIGGER audit_contact_insert AFTER INSERT ON "contact"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('contact', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'organization_id', NEW."organization_id", 'name', NEW."name", 'kana', NEW."kana", 'department', NEW."department", 'title', NEW."title", 'email', NEW."email", 'phone', NEW."phone", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_contact_update
CREATE TRIGGER audit_contact_update AFTER UPDATE ON "contact"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('contact', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'organization_id', OLD."organization_id", 'name', OLD."name", 'kana', OLD."kana", 'department', OLD."department", 'title', OLD."title", 'email', OLD."email", 'phone', OLD."phone", 'notes', OLD."notes"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'organization_id', NEW."organization_id", 'name', NEW."name", 'kana', NEW."kana", 'department', NEW."department", 'title', NEW."title", 'email', NEW."email", 'phone', NEW."phone", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_issued_report_delete
CREATE TRIGGER audit_issued_report_delete AFTER DELETE ON "issued_report"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('issued_report', OLD."id", 'delete', json_object('id', OLD."id", 'fiscal_year', OLD."fiscal_year", 'quarter', OLD."quarter", 'lang', OLD."lang", 'generated_at', OLD."generated_at", 'issued_at', OLD."issued_at", 'issued_by', OLD."issued_by", 'fingerprint', OLD."fingerprint", 'pdf_sha256', OLD."pdf_sha256", 'figures_json', OLD."figures_json"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_issued_report_insert
CREATE TRIGGER audit_issued_report_insert AFTER INSERT ON "issued_report"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('issued_report', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'fiscal_year', NEW."fiscal_year", 'quarter', NEW."quarter", 'lang', NEW."lang", 'generated_at', NEW."generated_at", 'issued_at', NEW."issued_at", 'issued_by', NEW."issued_by", 'fingerprint', NEW."fingerprint", 'pdf_sha256', NEW."pdf_sha256", 'figures_json', NEW."figures_json"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_issued_report_update
CREATE TRIGGER audit_issued_report_update AFTER UPDATE ON "issued_report"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('issued_report', NEW."id", 'update', json_object('id', OLD."id", 'fiscal_year', OLD."fiscal_year", 'quarter', OLD."quarter", 'lang', OLD."lang", 'generated_at', OLD."generated_at", 'issued_at', OLD."issued_at", 'issued_by', OLD."issued_by", 'fingerprint', OLD."fingerprint", 'pdf_sha256', OLD."pdf_sha256", 'figures_json', OLD."figures_json"), json_object('id', NEW."id", 'fiscal_year', NEW."fiscal_year", 'quarter', NEW."quarter", 'lang', NEW."lang", 'generated_at', NEW."generated_at", 'issued_at', NEW."issued_at", 'issued_by', NEW."issued_by", 'fingerprint', NEW."fingerprint", 'pdf_sha256', NEW."pdf_sha256", 'figures_json', NEW."figures_json"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_kpi_delete
CREATE TRIGGER audit_kpi_delete AFTER DELETE ON "kpi"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('kpi', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'code', OLD."code", 'basic_policy', OLD."basic_policy", 'policy_ref', OLD."policy_ref", 'name_ja', OLD."name_ja", 'name_en', OLD."name_en", 'unit', OLD."unit", 'kind', OLD."kind", 'rule', OLD."rule", 'rule_param', OLD."rule_param", 'baseline', OLD."baseline", 'baseline_as_of', OLD."baseline_as_of", 'baseline_label', OLD."baseline_label", 'target', OLD."target", 'target_by', OLD."target_by", 'target_label', OLD."target_label", 'sort_order', OLD."sort_order", 'notes', OLD."notes"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_kpi_insert
CREATE TRIGGER audit_kpi_insert AFTER INSERT ON "kpi"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('kpi', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'code', NEW."code", 'basic_policy', NEW."basic_policy", 'policy_ref', NEW."policy_ref", 'name_ja', NEW."name_ja", 'name_en', NEW."name_en", 'unit', NEW."unit", 'kind', NEW."kind", 'rule', NEW."rule", 'rule_param', NEW."rule_param", 'baseline', NEW."baseline", 'baseline_as_of', NEW."baseline_as_of", 'baseline_label', NEW."baseline_label", 'target', NEW."target", 'target_by', NEW."target_by", 'target_label', NEW."target_label", 'sort_order', NEW."sort_order", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_kpi_measurement_delete
CREATE TRIGGER audit_kpi_measurement_delete AFTER DELETE ON "kpi_measurement"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('kpi_measurement', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'kpi_id', OLD."kpi_id", 'measured_on', OLD."measured_on", 'value', OLD."value", 'note', OLD."note", 'entered_by', OLD."entered_by"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_kpi_measurement_insert
CREATE TRIGGER audit_kpi_measurement_insert AFTER INSERT ON "kpi_measurement"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('kpi_measurement', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'kpi_id', NEW."kpi_id", 'measured_on', NEW."measured_on", 'value', NEW."value", 'note', NEW."note", 'entered_by', NEW."entered_by"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_kpi_measurement_update
CREATE TRIGGER audit_kpi_measurement_update AFTER UPDATE ON "kpi_measurement"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('kpi_measurement', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'kpi_id', OLD."kpi_id", 'measured_on', OLD."measured_on", 'value', OLD."value", 'note', OLD."note", 'entered_by', OLD."entered_by"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'kpi_id', NEW."kpi_id", 'measured_on', NEW."measured_on", 'value', NEW."value", 'note', NEW."note", 'entered_by', NEW."entered_by"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_kpi_update
CREATE TRIGGER audit_kpi_update AFTER UPDATE ON "kpi"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('kpi', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'code', OLD."code", 'basic_policy', OLD."basic_policy", 'policy_ref', OLD."policy_ref", 'name_ja', OLD."name_ja", 'name_en', OLD."name_en", 'unit', OLD."unit", 'kind', OLD."kind", 'rule', OLD."rule", 'rule_param', OLD."rule_param", 'baseline', OLD."baseline", 'baseline_as_of', OLD."baseline_as_of", 'baseline_label', OLD."baseline_label", 'target', OLD."target", 'target_by', OLD."target_by", 'target_label', OLD."target_label", 'sort_order', OLD."sort_order", 'notes', OLD."notes"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'code', NEW."code", 'basic_policy', NEW."basic_policy", 'policy_ref', NEW."policy_ref", 'name_ja', NEW."name_ja", 'name_en', NEW."name_en", 'unit', NEW."unit", 'kind', NEW."kind", 'rule', NEW."rule", 'rule_param', NEW."rule_param", 'baseline', NEW."baseline", 'baseline_as_of', NEW."baseline_as_of", 'baseline_label', NEW."baseline_label", 'target', NEW."target", 'target_by', NEW."target_by", 'target_label', NEW."target_label", 'sort_order', NEW."sort_order", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_log_no_delete
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted');
END;
-- trigger audit_log_no_update
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
  OLD.chain_hash IS NULL AND NEW.chain_hash IS NOT NULL AND length(NEW.chain_hash) = 64
  AND NEW.id IS OLD.id AND NEW.table_name IS OLD.table_name AND NEW.row_id IS OLD.row_id AND NEW.action IS OLD.action AND NEW.old_values IS OLD.old_values AND NEW.new_values IS OLD.new_values AND NEW.changed_at IS OLD.changed_at AND NEW.changed_by IS OLD.changed_by
  AND NOT EXISTS (SELECT 1 FROM audit_log p WHERE p.chain_hash IS NULL AND p.id < OLD.id)
)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: a row can only be sealed, once, in order');
END;
-- trigger audit_log_unsealed_insert
CREATE TRIGGER audit_log_unsealed_insert BEFORE INSERT ON audit_log
WHEN NEW.chain_hash IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'audit_log rows are recorded unsealed and sealed by the program');
END;
-- trigger audit_meeting_contact_delete
CREATE TRIGGER audit_meeting_contact_delete AFTER DELETE ON "meeting_contact"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_contact', OLD."meeting_id", 'delete', json_object('meeting_id', OLD."meeting_id", 'contact_id', OLD."contact_id"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_meeting_contact_insert
CREATE TRIGGER audit_meeting_contact_insert AFTER INSERT ON "meeting_contact"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_contact', NEW."meeting_id", 'insert', NULL, json_object('meeting_id', NEW."meeting_id", 'contact_id', NEW."contact_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_meeting_contact_update
CREATE TRIGGER audit_meeting_contact_update AFTER UPDATE ON "meeting_contact"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_contact', NEW."meeting_id", 'update', json_object('meeting_id', OLD."meeting_id", 'contact_id', OLD."contact_id"), json_object('meeting_id', NEW."meeting_id", 'contact_id', NEW."contact_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_meeting_delete
CREATE TRIGGER audit_meeting_delete AFTER DELETE ON "meeting"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'held_on', OLD."held_on", 'title', OLD."title", 'summary', OLD."summary", 'next_action', OLD."next_action", 'follow_up_on', OLD."follow_up_on", 'follow_up_done_on', OLD."follow_up_done_on"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_meeting_insert
CREATE TRIGGER audit_meeting_insert AFTER INSERT ON "meeting"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'held_on', NEW."held_on", 'title', NEW."title", 'summary', NEW."summary", 'next_action', NEW."next_action", 'follow_up_on', NEW."follow_up_on", 'follow_up_done_on', NEW."follow_up_done_on"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_meeting_organization_delete
CREATE TRIGGER audit_meeting_organization_delete AFTER DELETE ON "meeting_organization"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_organization', OLD."meeting_id", 'delete', json_object('meeting_id', OLD."meeting_id", 'organization_id', OLD."organization_id"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_meeting_organization_insert
CREATE TRIGGER audit_meeting_organization_insert AFTER INSERT ON "meeting_organization"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_organization', NEW."meeting_id", 'insert', NULL, json_object('meeting_id', NEW."meeting_id", 'organization_id', NEW."organization_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_meeting_organization_update
CREATE TRIGGER audit_meeting_organization_update AFTER UPDATE ON "meeting_organization"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_organization', NEW."meeting_id", 'update', json_object('meeting_id', OLD."meeting_id", 'organization_id', OLD."organization_id"), json_object('meeting_id', NEW."meeting_id", 'organization_id', NEW."organization_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_meeting_staff_delete
CREATE TRIGGER audit_meeting_staff_delete AFTER DELETE ON "meeting_staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_staff', OLD."meeting_id", 'delete', json_object('meeting_id', OLD."meeting_id", 'staff_id', OLD."staff_id"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_meeting_staff_insert
CREATE TRIGGER audit_meeting_staff_insert AFTER INSERT ON "meeting_staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_staff', NEW."meeting_id", 'insert', NULL, json_object('meeting_id', NEW."meeting_id", 'staff_id', NEW."staff_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_meeting_staff_update
CREATE TRIGGER audit_meeting_staff_update AFTER UPDATE ON "meeting_staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_staff', NEW."meeting_id", 'update', json_object('meeting_id', OLD."meeting_id", 'staff_id', OLD."staff_id"), json_object('meeting_id', NEW."meeting_id", 'staff_id', NEW."staff_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_meeting_update
CREATE TRIGGER audit_meeting_update AFTER UPDATE ON "meeting"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'held_on', OLD."held_on", 'title', OLD."title", 'summary', OLD."summary", 'next_action', OLD."next_action", 'follow_up_on', OLD."follow_up_on", 'follow_up_done_on', OLD."follow_up_done_on"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'held_on', NEW."held_on", 'title', NEW."title", 'summary', NEW."summary", 'next_action', NEW."next_action", 'follow_up_on', NEW."follow_up_on", 'follow_up_done_on', NEW."follow_up_done_on"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_organization_delete
CREATE TRIGGER audit_organization_delete AFTER DELETE ON "organization"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('organization', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'name', OLD."name", 'normalized_name', OLD."normalized_name", 'kana', OLD."kana", 'kana_sort_key', OLD."kana_sort_key", 'kind', OLD."kind", 'corporate_number', OLD."corporate_number", 'address', OLD."address", 'website', OLD."website", 'notes', OLD."notes"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_organization_insert
CREATE TRIGGER audit_organization_insert AFTER INSERT ON "organization"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('organization', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'name', NEW."name", 'normalized_name', NEW."normalized_name", 'kana', NEW."kana", 'kana_sort_key', NEW."kana_sort_key", 'kind', NEW."kind", 'corporate_number', NEW."corporate_number", 'address', NEW."address", 'website', NEW."website", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_organization_merge_delete
CREATE TRIGGER audit_organization_merge_delete AFTER DELETE ON "organization_merge"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('organization_merge', OLD."id", 'delete', json_object('id', OLD."id", 'kept_id', OLD."kept_id", 'merged_id', OLD."merged_id", 'merged_at', OLD."merged_at", 'merged_by', OLD."merged_by", 'moved_json', OLD."moved_json", 'undone_at', OLD."undone_at", 'undone_by', OLD."undone_by"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_organization_merge_insert
CREATE TRIGGER audit_organization_merge_insert AFTER INSERT ON "organization_merge"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('organization_merge', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'kept_id', NEW."kept_id", 'merged_id', NEW."merged_id", 'merged_at', NEW."merged_at", 'merged_by', NEW."merged_by", 'moved_json', NEW."moved_json", 'undone_at', NEW."undone_at", 'undone_by', NEW."undone_by"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_organization_merge_update
CREATE TRIGGER audit_organization_merge_update AFTER UPDATE ON "organization_merge"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('organization_merge', NEW."id", 'update', json_object('id', OLD."id", 'kept_id', OLD."kept_id", 'merged_id', OLD."merged_id", 'merged_at', OLD."merged_at", 'merged_by', OLD."merged_by", 'moved_json', OLD."moved_json", 'undone_at', OLD."undone_at", 'undone_by', OLD."undone_by"), json_object('id', NEW."id", 'kept_id', NEW."kept_id", 'merged_id', NEW."merged_id", 'merged_at', NEW."merged_at", 'merged_by', NEW."merged_by", 'moved_json', NEW."moved_json", 'undone_at', NEW."undone_at", 'undone_by', NEW."undone_by"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_organization_update
CREATE TRIGGER audit_organization_update AFTER UPDATE ON "organization"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('organization', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'name', OLD."name", 'normalized_name', OLD."normalized_name", 'kana', OLD."kana", 'kana_sort_key', OLD."kana_sort_key", 'kind', OLD."kind", 'corporate_number', OLD."corporate_number", 'address', OLD."address", 'website', OLD."website", 'notes', OLD."notes"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'name', NEW."name", 'normalized_name', NEW."normalized_name", 'kana', NEW."kana", 'kana_sort_key', NEW."kana_sort_key", 'kind', NEW."kind", 'corporate_number', NEW."corporate_number", 'address', NEW."address", 'website', NEW."website", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_outreach_event_delete
CREATE TRIGGER audit_outreach_event_delete AFTER DELETE ON "outreach_event"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('outreach_event', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'held_on', OLD."held_on", 'kind', OLD."kind", 'title', OLD."title", 'venue', OLD."venue", 'municipality', OLD."municipality", 'attendees', OLD."attendees", 'audience', OLD."audience", 'notes', OLD."notes"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_outreach_event_insert
CREATE TRIGGER audit_outreach_event_insert AFTER INSERT ON "outreach_event"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('outreach_event', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'held_on', NEW."held_on", 'kind', NEW."kind", 'title', NEW."title", 'venue', NEW."venue", 'municipality', NEW."municipality", 'attendees', NEW."attendees", 'audience', NEW."audience", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_outreach_event_staff_delete
CREATE TRIGGER audit_outreach_event_staff_delete AFTER DELETE ON "outreach_event_staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('outreach_event_staff', OLD."outreach_event_id", 'delete', json_object('outreach_event_id', OLD."outreach_event_id", 'staff_id', OLD."staff_id"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_outreach_event_staff_insert
CREATE TRIGGER audit_outreach_event_staff_insert AFTER INSERT ON "outreach_event_staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('outreach_event_staff', NEW."outreach_event_id", 'insert', NULL, json_object('outreach_event_id', NEW."outreach_event_id", 'staff_id', NEW."staff_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_outreach_event_staff_update
CREATE TRIGGER audit_outreach_event_staff_update AFTER UPDATE ON "outreach_event_staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('outreach_event_staff', NEW."outreach_event_id", 'update', json_object('outreach_event_id', OLD."outreach_event_id", 'staff_id', OLD."staff_id"), json_object('outreach_event_id', NEW."outreach_event_id", 'staff_id', NEW."staff_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_outreach_event_update
CREATE TRIGGER audit_outreach_event_update AFTER UPDATE ON "outreach_event"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('outreach_event', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'held_on', OLD."held_on", 'kind', OLD."kind", 'title', OLD."title", 'venue', OLD."venue", 'municipality', OLD."municipality", 'attendees', OLD."attendees", 'audience', OLD."audience", 'notes', OLD."notes"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'held_on', NEW."held_on", 'kind', NEW."kind", 'title', NEW."title", 'venue', NEW."venue", 'municipality', NEW."municipality", 'attendees', NEW."attendees", 'audience', NEW."audience", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_staff_delete
CREATE TRIGGER audit_staff_delete AFTER DELETE ON "staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('staff', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'name', OLD."name", 'kana', OLD."kana", 'section', OLD."section", 'active', OLD."active"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_staff_insert
CREATE TRIGGER audit_staff_insert AFTER INSERT ON "staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('staff', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'name', NEW."name", 'kana', NEW."kana", 'section', NEW."section", 'active', NEW."active"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger audit_staff_update
CREATE TRIGGER audit_staff_update AFTER UPDATE ON "staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('staff', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'name', OLD."name", 'kana', OLD."kana", 'section', OLD."section", 'active', OLD."active"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'name', NEW."name", 'kana', NEW."kana", 'section', NEW."section", 'active', NEW."active"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
-- trigger issued_report_no_delete
CREATE TRIGGER issued_report_no_delete BEFORE DELETE ON issued_report
BEGIN SELECT RAISE(ABORT, 'issued reports are frozen: issued_report rows cannot be deleted'); END;
-- trigger issued_report_no_update
CREATE TRIGGER issued_report_no_update BEFORE UPDATE ON issued_report
BEGIN SELECT RAISE(ABORT, 'issued reports are frozen: issued_report rows cannot change'); END;
-- view kpi_counted_record
CREATE VIEW kpi_counted_record AS
SELECT k.code AS kpi_code, 'outreach_event' AS record_type, e.id AS record_id,
       e.held_on AS counted_on, CAST(NULL AS INTEGER) AS organization_id, e.title AS title
FROM kpi k
JOIN outreach_event e ON e.kind = k.rule_param
WHERE k.rule = 'events' AND k.archived_at IS NULL AND e.archived_at IS NULL
UNION ALL
SELECT k.code, 'agreement', a.id, a.concluded_on, CAST(NULL AS INTEGER), a.title
FROM kpi k
JOIN agreement a ON a.concluded_on IS NOT NULL
WHERE k.rule = 'agreements' AND k.archived_at IS NULL AND a.archived_at IS NULL
  AND EXISTS (
    SELECT 1 FROM agreement_partner p
    JOIN organization o ON o.id = p.organization_id
    WHERE p.agreement_id = a.id AND o.archived_at IS NULL
      AND ((k.rule_param = 'private' AND o.kind = 'company')
        OR (k.rule_param = 'external' AND o.kind <> 'company')))
UNION ALL
SELECT k.code, 'meeting', m.id, m.held_on, f.organization_id, m.title
FROM kpi k
CROSS JOIN (
    -- Each organization's first active meeting in one pass over the meetings: the smallest
    -- yyyymmdd * 10^10 + meeting id is the earliest meeting, the lowest id on that day.
    SELECT mo.organization_id,
           MIN(CAST(REPLACE(CAST(m1.held_on AS TEXT), '-', '') AS BIGINT) * 10000000000
               + m1.id) AS first_key
    FROM meeting m1 CROSS JOIN meeting_organization mo
    WHERE mo.meeting_id = m1.id AND m1.archived_at IS NULL
    GROUP BY mo.organization_id
) f
JOIN organization o ON o.id = f.organization_id
JOIN meeting m ON m.id = f.first_key % 10000000000
WHERE k.rule = 'companies' AND k.archived_at IS NULL
  AND o.kind = 'company' AND o.archived_at IS NULL;
-- view kpi_evidence
CREATE VIEW kpi_evidence AS
SELECT c.kpi_code, c.record_type, c.record_id, c.counted_on, c.organization_id, c.title
FROM kpi_counted_record c
JOIN kpi k ON k.code = c.kpi_code
WHERE c.counted_on > k.baseline_as_of;
