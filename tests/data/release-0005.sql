PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO alembic_version VALUES('0005');
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
INSERT INTO agreement VALUES(1,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'with C1','concluded','2019-09-01',NULL,NULL,NULL,NULL,NULL);
INSERT INTO agreement VALUES(2,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'with U1 and C3','ended','2020-03-15',NULL,NULL,NULL,NULL,NULL);
INSERT INTO agreement VALUES(3,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'cancelled after conclusion','cancelled','2021-06-01',NULL,NULL,NULL,NULL,NULL);
INSERT INTO agreement VALUES(4,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'under negotiation','negotiating',NULL,NULL,NULL,NULL,NULL,NULL);
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
INSERT INTO kpi VALUES(1,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'data_disclosure_review',1,'1-(1)','保有情報の公開範囲の検討','Review of disclosure scope of held data','—','measured','milestone',NULL,0.0,'2018-12-31','未実施',1.0,'2023-03-31','実施',1,NULL);
INSERT INTO kpi VALUES(2,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'open_data_files',1,'1-(2)','オープンデータの提供ファイル数','Open-data files published','件','measured','level',NULL,645.0,'2018-12-31',NULL,2000.0,'2023-03-31',NULL,2,NULL);
INSERT INTO kpi VALUES(3,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'open_data_catalog_access',1,'1-(2)','オープンデータカタログサイトのアクセス件数','Open-data catalogue site accesses','件','measured','annual',NULL,56641.0,'2020-12-31',NULL,50000.0,'2023-03-31','年間',3,NULL);
INSERT INTO kpi VALUES(4,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'internal_data_sharing',1,'1-(3)','データの内部共有件数','Data sets shared inside the city office','件','measured','level',NULL,0.0,'2018-12-31','0, 未実施',10.0,'2023-03-31','累計',4,NULL);
INSERT INTO kpi VALUES(5,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'app_targeted_notices',2,'2-(1)','ユーザー属性に応じた情報発信','App notices targeted by user attributes','件','measured','level',NULL,1.0,'2018-12-31',NULL,20.0,'2023-03-31','累計',5,NULL);
INSERT INTO kpi VALUES(6,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'app_notices',2,'2-(1)','かこがわアプリの情報発信件数','Notices sent through the Kakogawa app','件','measured','level',NULL,187.0,'2020-12-31','累計',310.0,'2023-03-31','累計',6,NULL);
INSERT INTO kpi VALUES(7,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'dashboard_datasets',2,'2-(2)','ダッシュボードで可視化したデータ数','Data sets visualised on the dashboard','セット','measured','level',NULL,34.0,'2018-12-31',NULL,45.0,'2023-03-31',NULL,7,NULL);
INSERT INTO kpi VALUES(8,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'app_downloads',2,'2-(3)','かこがわアプリダウンロード数','Kakogawa app downloads','件','measured','level',NULL,9958.0,'2018-12-31',NULL,20000.0,'2023-03-31','累計',8,NULL);
INSERT INTO kpi VALUES(9,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'app_registered_users',2,'2-(3)','かこがわアプリユーザー登録者数','Kakogawa app registered users','人','measured','level',NULL,2618.0,'2018-12-31',NULL,5000.0,'2023-03-31',NULL,9,NULL);
INSERT INTO kpi VALUES(10,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'app_awareness_rate',2,'2-(3)','かこがわアプリを知っている市民の割合','Citizens who know the Kakogawa app','%','measured','level',NULL,15.499999999999999999,'2018-12-31',NULL,25.0,'2023-03-31',NULL,10,NULL);
INSERT INTO kpi VALUES(11,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'outreach_in_city',2,'2-(3)','市内イベント等における周知広報回数','Promotions at in-city events','回','computed','events','in_city',4.0,'2018-12-31',NULL,20.0,'2023-03-31','累計',11,NULL);
INSERT INTO kpi VALUES(12,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'lectures_in_city',2,'2-(3)','市内における出前講座の開催回数','On-site lectures (出前講座) held in the city','回','computed','events','lecture',1.0,'2018-12-31',NULL,60.0,'2023-03-31','累計',12,NULL);
INSERT INTO kpi VALUES(13,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'decidim_projects',2,'2-(4)','Decidim による意見交換を実施した事業件数','Projects consulted on through Decidim','件','measured','level',NULL,1.0,'2020-12-31','累計',20.0,'2023-03-31','累計',13,NULL);
INSERT INTO kpi VALUES(14,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'decidim_registrations',2,'2-(4)','Decidim の登録者数','Decidim registered users','人','measured','level',NULL,196.0,'2020-12-31',NULL,1000.0,'2023-03-31',NULL,14,NULL);
INSERT INTO kpi VALUES(15,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'decidim_posts',2,'2-(4)','Decidim の意見投稿件数','Opinions posted on Decidim','件','measured','level',NULL,261.0,'2020-12-31','累計',5000.0,'2023-03-31','累計',15,NULL);
INSERT INTO kpi VALUES(16,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'linkage_external',3,'3-(1)','外部機関や大学等とのデータ連携件数','Data linkages with external agencies, universities etc.','件','computed','agreements','external',3.0,'2018-12-31',NULL,15.0,'2023-03-31','累計',16,NULL);
INSERT INTO kpi VALUES(17,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'companies_consulted',3,'3-(2)','意見交換を行った民間企業数','Private companies we exchanged views with','社','computed','companies',NULL,3.0,'2018-12-31',NULL,65.0,'2023-03-31','累計',17,NULL);
INSERT INTO kpi VALUES(18,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'linkage_private',3,'3-(2)','民間企業とのデータ連携件数','Data linkages with private companies','件','computed','agreements','private',0.0,'2018-12-31',NULL,10.0,'2023-03-31','累計',18,NULL);
INSERT INTO kpi VALUES(19,'2020-01-01 03:00:00.000000','root','2020-01-01 03:00:00.000000','root',NULL,NULL,'outreach_out_of_city',3,'3-(3)','市外イベント等における周知広報回数','Promotions at out-of-city events','回','computed','events','out_of_city',3.0,'2018-12-31',NULL,30.0,'2023-03-31','累計',19,NULL);
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
INSERT INTO meeting VALUES(1,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'2018-11-01','C1 before the baseline',NULL,NULL,NULL,NULL);
INSERT INTO meeting VALUES(2,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'2019-05-10','C1 again, C2 first',NULL,NULL,NULL,NULL);
INSERT INTO meeting VALUES(3,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'2020-02-03','U1 and C3',NULL,NULL,NULL,NULL);
INSERT INTO meeting VALUES(4,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'2021-07-01','C3 again',NULL,NULL,NULL,NULL);
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
INSERT INTO organization VALUES(1,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'C1 株式会社','c1株式会社',NULL,NULL,'company',NULL,NULL,NULL,NULL);
INSERT INTO organization VALUES(2,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'C2 株式会社','c2株式会社',NULL,NULL,'company',NULL,NULL,NULL,NULL);
INSERT INTO organization VALUES(3,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'U1 大学','u1大学',NULL,NULL,'university',NULL,NULL,NULL,NULL);
INSERT INTO organization VALUES(4,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'C3 株式会社','c3株式会社',NULL,NULL,'company',NULL,NULL,NULL,NULL);
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
INSERT INTO outreach_event VALUES(1,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'2018-12-31','lecture','lecture on the baseline day',NULL,NULL,20,NULL,NULL);
INSERT INTO outreach_event VALUES(2,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'2019-04-20','lecture','lecture',NULL,NULL,35,NULL,NULL);
INSERT INTO outreach_event VALUES(3,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'2019-06-30','in_city','fair',NULL,NULL,NULL,NULL,NULL);
INSERT INTO outreach_event VALUES(4,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,'2021-11-03','out_of_city','expo',NULL,NULL,400,NULL,NULL);
INSERT INTO outreach_event VALUES(5,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito','2020-01-01 00:00:00','ito','2020-10-10','lecture','archived lecture',NULL,NULL,10,NULL,NULL);
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
CREATE TABLE agreement_partner (
	agreement_id INTEGER NOT NULL, 
	organization_id INTEGER NOT NULL, 
	CONSTRAINT pk_agreement_partner PRIMARY KEY (agreement_id, organization_id), 
	CONSTRAINT fk_agreement_partner_agreement_id_agreement FOREIGN KEY(agreement_id) REFERENCES agreement (id) ON DELETE CASCADE, 
	CONSTRAINT fk_agreement_partner_organization_id_organization FOREIGN KEY(organization_id) REFERENCES organization (id)
);
INSERT INTO agreement_partner VALUES(1,1);
INSERT INTO agreement_partner VALUES(2,3);
INSERT INTO agreement_partner VALUES(2,4);
INSERT INTO agreement_partner VALUES(3,3);
INSERT INTO agreement_partner VALUES(4,2);
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
INSERT INTO kpi_measurement VALUES(1,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,2,'2019-06-01',900.0,NULL,'ito');
INSERT INTO kpi_measurement VALUES(2,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,2,'2021-06-01',1500.0,NULL,'ito');
INSERT INTO kpi_measurement VALUES(3,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,3,'2021-09-30',30000.0,NULL,'ito');
INSERT INTO kpi_measurement VALUES(4,'2019-01-05 00:00:00','ito','2019-01-05 00:00:00','ito',NULL,NULL,1,'2020-03-31',1.0,NULL,'ito');
CREATE TABLE meeting_organization (
	meeting_id INTEGER NOT NULL, 
	organization_id INTEGER NOT NULL, 
	CONSTRAINT pk_meeting_organization PRIMARY KEY (meeting_id, organization_id), 
	CONSTRAINT fk_meeting_organization_meeting_id_meeting FOREIGN KEY(meeting_id) REFERENCES meeting (id) ON DELETE CASCADE, 
	CONSTRAINT fk_meeting_organization_organization_id_organization FOREIGN KEY(organization_id) REFERENCES organization (id)
);
INSERT INTO meeting_organization VALUES(1,1);
INSERT INTO meeting_organization VALUES(2,1);
INSERT INTO meeting_organization VALUES(2,2);
INSERT INTO meeting_organization VALUES(3,3);
INSERT INTO meeting_organization VALUES(3,4);
INSERT INTO meeting_organization VALUES(4,4);
CREATE TABLE meeting_staff (
	meeting_id INTEGER NOT NULL, 
	staff_id INTEGER NOT NULL, 
	CONSTRAINT pk_meeting_staff PRIMARY KEY (meeting_id, staff_id), 
	CONSTRAINT fk_meeting_staff_meeting_id_meeting FOREIGN KEY(meeting_id) REFERENCES meeting (id) ON DELETE CASCADE, 
	CONSTRAINT fk_meeting_staff_staff_id_staff FOREIGN KEY(staff_id) REFERENCES staff (id)
);
CREATE TABLE outreach_event_staff (
	outreach_event_id INTEGER NOT NULL, 
	staff_id INTEGER NOT NULL, 
	CONSTRAINT pk_outreach_event_staff PRIMARY KEY (outreach_event_id, staff_id), 
	CONSTRAINT fk_outreach_event_staff_outreach_event_id_outreach_event FOREIGN KEY(outreach_event_id) REFERENCES outreach_event (id) ON DELETE CASCADE, 
	CONSTRAINT fk_outreach_event_staff_staff_id_staff FOREIGN KEY(staff_id) REFERENCES staff (id)
);
CREATE TABLE meeting_contact (
	meeting_id INTEGER NOT NULL, 
	contact_id INTEGER NOT NULL, 
	CONSTRAINT pk_meeting_contact PRIMARY KEY (meeting_id, contact_id), 
	CONSTRAINT fk_meeting_contact_contact_id_contact FOREIGN KEY(contact_id) REFERENCES contact (id), 
	CONSTRAINT fk_meeting_contact_meeting_id_meeting FOREIGN KEY(meeting_id) REFERENCES meeting (id) ON DELETE CASCADE
);
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
CREATE TABLE audit_actor (
	id INTEGER NOT NULL, 
	actor VARCHAR(100), 
	CONSTRAINT pk_audit_actor PRIMARY KEY (id), 
	CONSTRAINT ck_audit_actor_single_row CHECK (id = 1)
);
INSERT INTO audit_actor VALUES(1,NULL);
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
INSERT INTO audit_log VALUES(1,'kpi',1,'insert',NULL,'{"id":1,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"data_disclosure_review","basic_policy":1,"policy_ref":"1-(1)","name_ja":"保有情報の公開範囲の検討","name_en":"Review of disclosure scope of held data","unit":"—","kind":"measured","rule":"milestone","rule_param":null,"baseline":0.0,"baseline_as_of":"2018-12-31","baseline_label":"未実施","target":1.0,"target_by":"2023-03-31","target_label":"実施","sort_order":1,"notes":null}','2026-12-02T11:11:30.918Z','root','de039427bcdec1406335d8ed9d7c9ca77612e6217822e634be0b5537c9fd613a');
INSERT INTO audit_log VALUES(2,'kpi',2,'insert',NULL,'{"id":2,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"open_data_files","basic_policy":1,"policy_ref":"1-(2)","name_ja":"オープンデータの提供ファイル数","name_en":"Open-data files published","unit":"件","kind":"measured","rule":"level","rule_param":null,"baseline":645.0,"baseline_as_of":"2018-12-31","baseline_label":null,"target":2000.0,"target_by":"2023-03-31","target_label":null,"sort_order":2,"notes":null}','2026-12-02T11:11:30.919Z','root','4f9a64a14cbc747b1f84e293d1cff7fd6ae802365d1a4f4119d64a8fa4ab50ef');
INSERT INTO audit_log VALUES(3,'kpi',3,'insert',NULL,'{"id":3,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"open_data_catalog_access","basic_policy":1,"policy_ref":"1-(2)","name_ja":"オープンデータカタログサイトのアクセス件数","name_en":"Open-data catalogue site accesses","unit":"件","kind":"measured","rule":"annual","rule_param":null,"baseline":56641.0,"baseline_as_of":"2020-12-31","baseline_label":null,"target":50000.0,"target_by":"2023-03-31","target_label":"年間","sort_order":3,"notes":null}','2026-12-02T11:11:30.920Z','root','3339609392724d751abd6f0fd13803ae84bfd6a0bf0472f96802b114508bb900');
INSERT INTO audit_log VALUES(4,'kpi',4,'insert',NULL,'{"id":4,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"internal_data_sharing","basic_policy":1,"policy_ref":"1-(3)","name_ja":"データの内部共有件数","name_en":"Data sets shared inside the city office","unit":"件","kind":"measured","rule":"level","rule_param":null,"baseline":0.0,"baseline_as_of":"2018-12-31","baseline_label":"0, 未実施","target":10.0,"target_by":"2023-03-31","target_label":"累計","sort_order":4,"notes":null}','2026-12-02T11:11:30.920Z','root','7d43de830eb08afad40653042cde2fed312e3d724479de988ca24a69790040c0');
INSERT INTO audit_log VALUES(5,'kpi',5,'insert',NULL,'{"id":5,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"app_targeted_notices","basic_policy":2,"policy_ref":"2-(1)","name_ja":"ユーザー属性に応じた情報発信","name_en":"App notices targeted by user attributes","unit":"件","kind":"measured","rule":"level","rule_param":null,"baseline":1.0,"baseline_as_of":"2018-12-31","baseline_label":null,"target":20.0,"target_by":"2023-03-31","target_label":"累計","sort_order":5,"notes":null}','2026-12-02T11:11:30.920Z','root','f00caf2fe8dd212610328a85f69d8e26667b4546aff5bd4de3610a04edbf30a7');
INSERT INTO audit_log VALUES(6,'kpi',6,'insert',NULL,'{"id":6,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"app_notices","basic_policy":2,"policy_ref":"2-(1)","name_ja":"かこがわアプリの情報発信件数","name_en":"Notices sent through the Kakogawa app","unit":"件","kind":"measured","rule":"level","rule_param":null,"baseline":187.0,"baseline_as_of":"2020-12-31","baseline_label":"累計","target":310.0,"target_by":"2023-03-31","target_label":"累計","sort_order":6,"notes":null}','2026-12-02T11:11:30.920Z','root','b2dde15b7c0b4ffd9c67ecac58485ac6b9fee2a11c31632c32f68ecb2df481bf');
INSERT INTO audit_log VALUES(7,'kpi',7,'insert',NULL,'{"id":7,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"dashboard_datasets","basic_policy":2,"policy_ref":"2-(2)","name_ja":"ダッシュボードで可視化したデータ数","name_en":"Data sets visualised on the dashboard","unit":"セット","kind":"measured","rule":"level","rule_param":null,"baseline":34.0,"baseline_as_of":"2018-12-31","baseline_label":null,"target":45.0,"target_by":"2023-03-31","target_label":null,"sort_order":7,"notes":null}','2026-12-02T11:11:30.920Z','root','0e33b4b32a5c7bb2e81c0ad8c1dbcd03031fd21333f78bebed4426ae4023479a');
INSERT INTO audit_log VALUES(8,'kpi',8,'insert',NULL,'{"id":8,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"app_downloads","basic_policy":2,"policy_ref":"2-(3)","name_ja":"かこがわアプリダウンロード数","name_en":"Kakogawa app downloads","unit":"件","kind":"measured","rule":"level","rule_param":null,"baseline":9958.0,"baseline_as_of":"2018-12-31","baseline_label":null,"target":20000.0,"target_by":"2023-03-31","target_label":"累計","sort_order":8,"notes":null}','2026-12-02T11:11:30.920Z','root','5daa1203202d7ac19a9f6d11272368c2724477e071863e58998f06dc41df1e81');
INSERT INTO audit_log VALUES(9,'kpi',9,'insert',NULL,'{"id":9,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"app_registered_users","basic_policy":2,"policy_ref":"2-(3)","name_ja":"かこがわアプリユーザー登録者数","name_en":"Kakogawa app registered users","unit":"人","kind":"measured","rule":"level","rule_param":null,"baseline":2618.0,"baseline_as_of":"2018-12-31","baseline_label":null,"target":5000.0,"target_by":"2023-03-31","target_label":null,"sort_order":9,"notes":null}','2026-12-02T11:11:30.921Z','root','50376e376ed1b314e6fea2a98b895e560d10e08e1a2e710c192f892a8f569c74');
INSERT INTO audit_log VALUES(10,'kpi',10,'insert',NULL,'{"id":10,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"app_awareness_rate","basic_policy":2,"policy_ref":"2-(3)","name_ja":"かこがわアプリを知っている市民の割合","name_en":"Citizens who know the Kakogawa app","unit":"%","kind":"measured","rule":"level","rule_param":null,"baseline":15.5,"baseline_as_of":"2018-12-31","baseline_label":null,"target":25.0,"target_by":"2023-03-31","target_label":null,"sort_order":10,"notes":null}','2026-12-02T11:11:30.921Z','root','3512d9a2c93484e7f71f23be2ba72a34eca2bc3a4ab76843beb83f78a105d5e2');
INSERT INTO audit_log VALUES(11,'kpi',11,'insert',NULL,'{"id":11,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"outreach_in_city","basic_policy":2,"policy_ref":"2-(3)","name_ja":"市内イベント等における周知広報回数","name_en":"Promotions at in-city events","unit":"回","kind":"computed","rule":"events","rule_param":"in_city","baseline":4.0,"baseline_as_of":"2018-12-31","baseline_label":null,"target":20.0,"target_by":"2023-03-31","target_label":"累計","sort_order":11,"notes":null}','2026-12-02T11:11:30.921Z','root','3e75d479732a4cc4babfee7a440fd343be36339b248c4366299e0ed7199d2aa1');
INSERT INTO audit_log VALUES(12,'kpi',12,'insert',NULL,'{"id":12,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"lectures_in_city","basic_policy":2,"policy_ref":"2-(3)","name_ja":"市内における出前講座の開催回数","name_en":"On-site lectures (出前講座) held in the city","unit":"回","kind":"computed","rule":"events","rule_param":"lecture","baseline":1.0,"baseline_as_of":"2018-12-31","baseline_label":null,"target":60.0,"target_by":"2023-03-31","target_label":"累計","sort_order":12,"notes":null}','2026-12-02T11:11:30.921Z','root','2332a5be5af0377090d63796bc77d633ee16e37b4d567440b054b4199e9b1715');
INSERT INTO audit_log VALUES(13,'kpi',13,'insert',NULL,'{"id":13,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"decidim_projects","basic_policy":2,"policy_ref":"2-(4)","name_ja":"Decidim による意見交換を実施した事業件数","name_en":"Projects consulted on through Decidim","unit":"件","kind":"measured","rule":"level","rule_param":null,"baseline":1.0,"baseline_as_of":"2020-12-31","baseline_label":"累計","target":20.0,"target_by":"2023-03-31","target_label":"累計","sort_order":13,"notes":null}','2026-12-02T11:11:30.921Z','root','46fd129c760c89345c8e0cd0aa6ad1696cbf8a8e69d8408f95acee34b7f4c9bb');
INSERT INTO audit_log VALUES(14,'kpi',14,'insert',NULL,'{"id":14,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"decidim_registrations","basic_policy":2,"policy_ref":"2-(4)","name_ja":"Decidim の登録者数","name_en":"Decidim registered users","unit":"人","kind":"measured","rule":"level","rule_param":null,"baseline":196.0,"baseline_as_of":"2020-12-31","baseline_label":null,"target":1000.0,"target_by":"2023-03-31","target_label":null,"sort_order":14,"notes":null}','2026-12-02T11:11:30.921Z','root','c1b82c3a60316fe915108f1671d7b7f00b0f388fad917523ce18818eb3317ac5');
INSERT INTO audit_log VALUES(15,'kpi',15,'insert',NULL,'{"id":15,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"decidim_posts","basic_policy":2,"policy_ref":"2-(4)","name_ja":"Decidim の意見投稿件数","name_en":"Opinions posted on Decidim","unit":"件","kind":"measured","rule":"level","rule_param":null,"baseline":261.0,"baseline_as_of":"2020-12-31","baseline_label":"累計","target":5000.0,"target_by":"2023-03-31","target_label":"累計","sort_order":15,"notes":null}','2026-12-02T11:11:30.922Z','root','cdfd08fa837348cab8d452c595d3fe1f491212a8a576a1d550a311f324e78761');
INSERT INTO audit_log VALUES(16,'kpi',16,'insert',NULL,'{"id":16,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"linkage_external","basic_policy":3,"policy_ref":"3-(1)","name_ja":"外部機関や大学等とのデータ連携件数","name_en":"Data linkages with external agencies, universities etc.","unit":"件","kind":"computed","rule":"agreements","rule_param":"external","baseline":3.0,"baseline_as_of":"2018-12-31","baseline_label":null,"target":15.0,"target_by":"2023-03-31","target_label":"累計","sort_order":16,"notes":null}','2026-12-02T11:11:30.922Z','root','87d8c7d128b71072240b915849645e617496ac6c213b6b7dd517ea8535ba75a5');
INSERT INTO audit_log VALUES(17,'kpi',17,'insert',NULL,'{"id":17,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"companies_consulted","basic_policy":3,"policy_ref":"3-(2)","name_ja":"意見交換を行った民間企業数","name_en":"Private companies we exchanged views with","unit":"社","kind":"computed","rule":"companies","rule_param":null,"baseline":3.0,"baseline_as_of":"2018-12-31","baseline_label":null,"target":65.0,"target_by":"2023-03-31","target_label":"累計","sort_order":17,"notes":null}','2026-12-02T11:11:30.922Z','root','563a3338fdd913c07ab128366e2c1d77214c499da82b2e7040754250172b0848');
INSERT INTO audit_log VALUES(18,'kpi',18,'insert',NULL,'{"id":18,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"linkage_private","basic_policy":3,"policy_ref":"3-(2)","name_ja":"民間企業とのデータ連携件数","name_en":"Data linkages with private companies","unit":"件","kind":"computed","rule":"agreements","rule_param":"private","baseline":0.0,"baseline_as_of":"2018-12-31","baseline_label":null,"target":10.0,"target_by":"2023-03-31","target_label":"累計","sort_order":18,"notes":null}','2026-12-02T11:11:30.922Z','root','87068a3332360a2b9dd341a93af1d50d165377eec1d6aa34cefd1e52430c5902');
INSERT INTO audit_log VALUES(19,'kpi',19,'insert',NULL,'{"id":19,"created_at":"2020-01-01 03:00:00.000000","created_by":"root","updated_at":"2020-01-01 03:00:00.000000","updated_by":"root","archived_at":null,"archived_by":null,"code":"outreach_out_of_city","basic_policy":3,"policy_ref":"3-(3)","name_ja":"市外イベント等における周知広報回数","name_en":"Promotions at out-of-city events","unit":"回","kind":"computed","rule":"events","rule_param":"out_of_city","baseline":3.0,"baseline_as_of":"2018-12-31","baseline_label":null,"target":30.0,"target_by":"2023-03-31","target_label":"累計","sort_order":19,"notes":null}','2026-12-02T11:11:30.922Z','root','479fe65afbafbe2798620d80d8c82292cdefeecd3a1d83414f4f4c9a89b89269');
INSERT INTO audit_log VALUES(20,'organization',1,'insert',NULL,'{"id":1,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"name":"C1 株式会社","normalized_name":"c1株式会社","kana":null,"kana_sort_key":null,"kind":"company","corporate_number":null,"address":null,"website":null,"notes":null}','2026-12-02T11:11:47.324Z','sql',NULL);
INSERT INTO audit_log VALUES(21,'organization',2,'insert',NULL,'{"id":2,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"name":"C2 株式会社","normalized_name":"c2株式会社","kana":null,"kana_sort_key":null,"kind":"company","corporate_number":null,"address":null,"website":null,"notes":null}','2026-12-02T11:11:47.324Z','sql',NULL);
INSERT INTO audit_log VALUES(22,'organization',3,'insert',NULL,'{"id":3,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"name":"U1 大学","normalized_name":"u1大学","kana":null,"kana_sort_key":null,"kind":"university","corporate_number":null,"address":null,"website":null,"notes":null}','2026-12-02T11:11:47.324Z','sql',NULL);
INSERT INTO audit_log VALUES(23,'organization',4,'insert',NULL,'{"id":4,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"name":"C3 株式会社","normalized_name":"c3株式会社","kana":null,"kana_sort_key":null,"kind":"company","corporate_number":null,"address":null,"website":null,"notes":null}','2026-12-02T11:11:47.324Z','sql',NULL);
INSERT INTO audit_log VALUES(24,'meeting',1,'insert',NULL,'{"id":1,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"held_on":"2018-11-01","title":"C1 before the baseline","summary":null,"next_action":null,"follow_up_on":null,"follow_up_done_on":null}','2026-12-02T11:11:47.331Z','sql',NULL);
INSERT INTO audit_log VALUES(25,'meeting',2,'insert',NULL,'{"id":2,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"held_on":"2019-05-10","title":"C1 again, C2 first","summary":null,"next_action":null,"follow_up_on":null,"follow_up_done_on":null}','2026-12-02T11:11:47.331Z','sql',NULL);
INSERT INTO audit_log VALUES(26,'meeting',3,'insert',NULL,'{"id":3,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"held_on":"2020-02-03","title":"U1 and C3","summary":null,"next_action":null,"follow_up_on":null,"follow_up_done_on":null}','2026-12-02T11:11:47.331Z','sql',NULL);
INSERT INTO audit_log VALUES(27,'meeting',4,'insert',NULL,'{"id":4,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"held_on":"2021-07-01","title":"C3 again","summary":null,"next_action":null,"follow_up_on":null,"follow_up_done_on":null}','2026-12-02T11:11:47.331Z','sql',NULL);
INSERT INTO audit_log VALUES(28,'meeting_organization',1,'insert',NULL,'{"meeting_id":1,"organization_id":1}','2026-12-02T11:11:47.335Z','sql',NULL);
INSERT INTO audit_log VALUES(29,'meeting_organization',2,'insert',NULL,'{"meeting_id":2,"organization_id":1}','2026-12-02T11:11:47.335Z','sql',NULL);
INSERT INTO audit_log VALUES(30,'meeting_organization',2,'insert',NULL,'{"meeting_id":2,"organization_id":2}','2026-12-02T11:11:47.335Z','sql',NULL);
INSERT INTO audit_log VALUES(31,'meeting_organization',3,'insert',NULL,'{"meeting_id":3,"organization_id":3}','2026-12-02T11:11:47.335Z','sql',NULL);
INSERT INTO audit_log VALUES(32,'meeting_organization',3,'insert',NULL,'{"meeting_id":3,"organization_id":4}','2026-12-02T11:11:47.335Z','sql',NULL);
INSERT INTO audit_log VALUES(33,'meeting_organization',4,'insert',NULL,'{"meeting_id":4,"organization_id":4}','2026-12-02T11:11:47.335Z','sql',NULL);
INSERT INTO audit_log VALUES(34,'outreach_event',1,'insert',NULL,'{"id":1,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"held_on":"2018-12-31","kind":"lecture","title":"lecture on the baseline day","venue":null,"municipality":null,"attendees":20,"audience":null,"notes":null}','2026-12-02T11:11:47.335Z','sql',NULL);
INSERT INTO audit_log VALUES(35,'outreach_event',2,'insert',NULL,'{"id":2,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"held_on":"2019-04-20","kind":"lecture","title":"lecture","venue":null,"municipality":null,"attendees":35,"audience":null,"notes":null}','2026-12-02T11:11:47.335Z','sql',NULL);
INSERT INTO audit_log VALUES(36,'outreach_event',3,'insert',NULL,'{"id":3,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"held_on":"2019-06-30","kind":"in_city","title":"fair","venue":null,"municipality":null,"attendees":null,"audience":null,"notes":null}','2026-12-02T11:11:47.335Z','sql',NULL);
INSERT INTO audit_log VALUES(37,'outreach_event',4,'insert',NULL,'{"id":4,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"held_on":"2021-11-03","kind":"out_of_city","title":"expo","venue":null,"municipality":null,"attendees":400,"audience":null,"notes":null}','2026-12-02T11:11:47.335Z','sql',NULL);
INSERT INTO audit_log VALUES(38,'outreach_event',5,'insert',NULL,'{"id":5,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":"2020-01-01 00:00:00","archived_by":"ito","held_on":"2020-10-10","kind":"lecture","title":"archived lecture","venue":null,"municipality":null,"attendees":10,"audience":null,"notes":null}','2026-12-02T11:11:47.335Z','sql',NULL);
INSERT INTO audit_log VALUES(39,'agreement',1,'insert',NULL,'{"id":1,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"title":"with C1","status":"concluded","concluded_on":"2019-09-01","starts_on":null,"ends_on":null,"datasets":null,"document_ref":null,"notes":null}','2026-12-02T11:11:47.336Z','sql',NULL);
INSERT INTO audit_log VALUES(40,'agreement',2,'insert',NULL,'{"id":2,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"title":"with U1 and C3","status":"ended","concluded_on":"2020-03-15","starts_on":null,"ends_on":null,"datasets":null,"document_ref":null,"notes":null}','2026-12-02T11:11:47.336Z','sql',NULL);
INSERT INTO audit_log VALUES(41,'agreement',3,'insert',NULL,'{"id":3,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"title":"cancelled after conclusion","status":"cancelled","concluded_on":"2021-06-01","starts_on":null,"ends_on":null,"datasets":null,"document_ref":null,"notes":null}','2026-12-02T11:11:47.336Z','sql',NULL);
INSERT INTO audit_log VALUES(42,'agreement',4,'insert',NULL,'{"id":4,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"title":"under negotiation","status":"negotiating","concluded_on":null,"starts_on":null,"ends_on":null,"datasets":null,"document_ref":null,"notes":null}','2026-12-02T11:11:47.336Z','sql',NULL);
INSERT INTO audit_log VALUES(43,'agreement_partner',1,'insert',NULL,'{"agreement_id":1,"organization_id":1}','2026-12-02T11:11:47.336Z','sql',NULL);
INSERT INTO audit_log VALUES(44,'agreement_partner',2,'insert',NULL,'{"agreement_id":2,"organization_id":3}','2026-12-02T11:11:47.336Z','sql',NULL);
INSERT INTO audit_log VALUES(45,'agreement_partner',2,'insert',NULL,'{"agreement_id":2,"organization_id":4}','2026-12-02T11:11:47.336Z','sql',NULL);
INSERT INTO audit_log VALUES(46,'agreement_partner',3,'insert',NULL,'{"agreement_id":3,"organization_id":3}','2026-12-02T11:11:47.336Z','sql',NULL);
INSERT INTO audit_log VALUES(47,'agreement_partner',4,'insert',NULL,'{"agreement_id":4,"organization_id":2}','2026-12-02T11:11:47.336Z','sql',NULL);
INSERT INTO audit_log VALUES(48,'kpi_measurement',1,'insert',NULL,'{"id":1,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"kpi_id":2,"measured_on":"2019-06-01","value":900.0,"note":null,"entered_by":"ito"}','2026-12-02T11:11:47.337Z','sql',NULL);
INSERT INTO audit_log VALUES(49,'kpi_measurement',2,'insert',NULL,'{"id":2,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"kpi_id":2,"measured_on":"2021-06-01","value":1500.0,"note":null,"entered_by":"ito"}','2026-12-02T11:11:47.337Z','sql',NULL);
INSERT INTO audit_log VALUES(50,'kpi_measurement',3,'insert',NULL,'{"id":3,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"kpi_id":3,"measured_on":"2021-09-30","value":30000.0,"note":null,"entered_by":"ito"}','2026-12-02T11:11:47.337Z','sql',NULL);
INSERT INTO audit_log VALUES(51,'kpi_measurement',4,'insert',NULL,'{"id":4,"created_at":"2019-01-05 00:00:00","created_by":"ito","updated_at":"2019-01-05 00:00:00","updated_by":"ito","archived_at":null,"archived_by":null,"kpi_id":1,"measured_on":"2020-03-31","value":1.0,"note":null,"entered_by":"ito"}','2026-12-02T11:11:47.337Z','sql',NULL);
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
CREATE INDEX ix_agreement_concluded_on ON agreement (concluded_on);
CREATE INDEX ix_agreement_status ON agreement (status);
CREATE INDEX ix_meeting_follow_up_on ON meeting (follow_up_on);
CREATE INDEX ix_meeting_held_on_id ON meeting (held_on, id);
CREATE INDEX ix_organization_kana_sort_key ON organization (kana_sort_key);
CREATE INDEX ix_organization_kind ON organization (kind);
CREATE INDEX ix_organization_normalized_name ON organization (normalized_name);
CREATE UNIQUE INDEX uq_organization_corporate_number_active ON organization (corporate_number) WHERE archived_at IS NULL AND corporate_number IS NOT NULL;
CREATE UNIQUE INDEX uq_organization_normalized_name_active ON organization (normalized_name) WHERE archived_at IS NULL;
CREATE INDEX ix_outreach_event_held_on ON outreach_event (held_on);
CREATE INDEX ix_outreach_event_kind_held_on ON outreach_event (kind, held_on, archived_at);
CREATE INDEX ix_agreement_partner_organization_id ON agreement_partner (organization_id);
CREATE INDEX ix_contact_organization_id ON contact (organization_id);
CREATE INDEX ix_kpi_measurement_kpi_id_measured_on ON kpi_measurement (kpi_id, measured_on);
CREATE INDEX ix_meeting_organization_organization_id ON meeting_organization (organization_id);
CREATE INDEX ix_meeting_staff_staff_id ON meeting_staff (staff_id);
CREATE INDEX ix_outreach_event_staff_staff_id ON outreach_event_staff (staff_id);
CREATE INDEX ix_meeting_contact_contact_id ON meeting_contact (contact_id);
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
  AND o.kind = 'company' AND o.archived_at IS NULL
;
CREATE VIEW kpi_evidence AS
SELECT c.kpi_code, c.record_type, c.record_id, c.counted_on, c.organization_id, c.title
FROM kpi_counted_record c
JOIN kpi k ON k.code = c.kpi_code
WHERE c.counted_on > k.baseline_as_of;
CREATE INDEX ix_issued_report_fiscal_year_quarter ON issued_report (fiscal_year, quarter);
CREATE TRIGGER issued_report_no_update BEFORE UPDATE ON issued_report
BEGIN SELECT RAISE(ABORT, 'issued reports are frozen: issued_report rows cannot change'); END;
CREATE TRIGGER issued_report_no_delete BEFORE DELETE ON issued_report
BEGIN SELECT RAISE(ABORT, 'issued reports are frozen: issued_report rows cannot be deleted'); END;
CREATE INDEX ix_audit_log_changed_at ON audit_log (changed_at);
CREATE INDEX ix_audit_log_table_name_row_id ON audit_log (table_name, row_id);
CREATE INDEX ix_audit_log_unsealed ON audit_log (id) WHERE chain_hash IS NULL;
CREATE TRIGGER audit_agreement_insert AFTER INSERT ON "agreement"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('agreement', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'title', NEW."title", 'status', NEW."status", 'concluded_on', NEW."concluded_on", 'starts_on', NEW."starts_on", 'ends_on', NEW."ends_on", 'datasets', NEW."datasets", 'document_ref', NEW."document_ref", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_agreement_update AFTER UPDATE ON "agreement"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('agreement', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'title', OLD."title", 'status', OLD."status", 'concluded_on', OLD."concluded_on", 'starts_on', OLD."starts_on", 'ends_on', OLD."ends_on", 'datasets', OLD."datasets", 'document_ref', OLD."document_ref", 'notes', OLD."notes"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'title', NEW."title", 'status', NEW."status", 'concluded_on', NEW."concluded_on", 'starts_on', NEW."starts_on", 'ends_on', NEW."ends_on", 'datasets', NEW."datasets", 'document_ref', NEW."document_ref", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_agreement_delete AFTER DELETE ON "agreement"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('agreement', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'title', OLD."title", 'status', OLD."status", 'concluded_on', OLD."concluded_on", 'starts_on', OLD."starts_on", 'ends_on', OLD."ends_on", 'datasets', OLD."datasets", 'document_ref', OLD."document_ref", 'notes', OLD."notes"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_agreement_partner_insert AFTER INSERT ON "agreement_partner"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('agreement_partner', NEW."agreement_id", 'insert', NULL, json_object('agreement_id', NEW."agreement_id", 'organization_id', NEW."organization_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_agreement_partner_update AFTER UPDATE ON "agreement_partner"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('agreement_partner', NEW."agreement_id", 'update', json_object('agreement_id', OLD."agreement_id", 'organization_id', OLD."organization_id"), json_object('agreement_id', NEW."agreement_id", 'organization_id', NEW."organization_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_agreement_partner_delete AFTER DELETE ON "agreement_partner"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('agreement_partner', OLD."agreement_id", 'delete', json_object('agreement_id', OLD."agreement_id", 'organization_id', OLD."organization_id"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_contact_insert AFTER INSERT ON "contact"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('contact', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'organization_id', NEW."organization_id", 'name', NEW."name", 'kana', NEW."kana", 'department', NEW."department", 'title', NEW."title", 'email', NEW."email", 'phone', NEW."phone", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_contact_update AFTER UPDATE ON "contact"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('contact', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'organization_id', OLD."organization_id", 'name', OLD."name", 'kana', OLD."kana", 'department', OLD."department", 'title', OLD."title", 'email', OLD."email", 'phone', OLD."phone", 'notes', OLD."notes"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'organization_id', NEW."organization_id", 'name', NEW."name", 'kana', NEW."kana", 'department', NEW."department", 'title', NEW."title", 'email', NEW."email", 'phone', NEW."phone", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_contact_delete AFTER DELETE ON "contact"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('contact', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'organization_id', OLD."organization_id", 'name', OLD."name", 'kana', OLD."kana", 'department', OLD."department", 'title', OLD."title", 'email', OLD."email", 'phone', OLD."phone", 'notes', OLD."notes"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_issued_report_insert AFTER INSERT ON "issued_report"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('issued_report', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'fiscal_year', NEW."fiscal_year", 'quarter', NEW."quarter", 'lang', NEW."lang", 'generated_at', NEW."generated_at", 'issued_at', NEW."issued_at", 'issued_by', NEW."issued_by", 'fingerprint', NEW."fingerprint", 'pdf_sha256', NEW."pdf_sha256", 'figures_json', NEW."figures_json"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_issued_report_update AFTER UPDATE ON "issued_report"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('issued_report', NEW."id", 'update', json_object('id', OLD."id", 'fiscal_year', OLD."fiscal_year", 'quarter', OLD."quarter", 'lang', OLD."lang", 'generated_at', OLD."generated_at", 'issued_at', OLD."issued_at", 'issued_by', OLD."issued_by", 'fingerprint', OLD."fingerprint", 'pdf_sha256', OLD."pdf_sha256", 'figures_json', OLD."figures_json"), json_object('id', NEW."id", 'fiscal_year', NEW."fiscal_year", 'quarter', NEW."quarter", 'lang', NEW."lang", 'generated_at', NEW."generated_at", 'issued_at', NEW."issued_at", 'issued_by', NEW."issued_by", 'fingerprint', NEW."fingerprint", 'pdf_sha256', NEW."pdf_sha256", 'figures_json', NEW."figures_json"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_issued_report_delete AFTER DELETE ON "issued_report"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('issued_report', OLD."id", 'delete', json_object('id', OLD."id", 'fiscal_year', OLD."fiscal_year", 'quarter', OLD."quarter", 'lang', OLD."lang", 'generated_at', OLD."generated_at", 'issued_at', OLD."issued_at", 'issued_by', OLD."issued_by", 'fingerprint', OLD."fingerprint", 'pdf_sha256', OLD."pdf_sha256", 'figures_json', OLD."figures_json"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_kpi_insert AFTER INSERT ON "kpi"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('kpi', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'code', NEW."code", 'basic_policy', NEW."basic_policy", 'policy_ref', NEW."policy_ref", 'name_ja', NEW."name_ja", 'name_en', NEW."name_en", 'unit', NEW."unit", 'kind', NEW."kind", 'rule', NEW."rule", 'rule_param', NEW."rule_param", 'baseline', NEW."baseline", 'baseline_as_of', NEW."baseline_as_of", 'baseline_label', NEW."baseline_label", 'target', NEW."target", 'target_by', NEW."target_by", 'target_label', NEW."target_label", 'sort_order', NEW."sort_order", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_kpi_update AFTER UPDATE ON "kpi"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('kpi', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'code', OLD."code", 'basic_policy', OLD."basic_policy", 'policy_ref', OLD."policy_ref", 'name_ja', OLD."name_ja", 'name_en', OLD."name_en", 'unit', OLD."unit", 'kind', OLD."kind", 'rule', OLD."rule", 'rule_param', OLD."rule_param", 'baseline', OLD."baseline", 'baseline_as_of', OLD."baseline_as_of", 'baseline_label', OLD."baseline_label", 'target', OLD."target", 'target_by', OLD."target_by", 'target_label', OLD."target_label", 'sort_order', OLD."sort_order", 'notes', OLD."notes"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'code', NEW."code", 'basic_policy', NEW."basic_policy", 'policy_ref', NEW."policy_ref", 'name_ja', NEW."name_ja", 'name_en', NEW."name_en", 'unit', NEW."unit", 'kind', NEW."kind", 'rule', NEW."rule", 'rule_param', NEW."rule_param", 'baseline', NEW."baseline", 'baseline_as_of', NEW."baseline_as_of", 'baseline_label', NEW."baseline_label", 'target', NEW."target", 'target_by', NEW."target_by", 'target_label', NEW."target_label", 'sort_order', NEW."sort_order", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_kpi_delete AFTER DELETE ON "kpi"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('kpi', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'code', OLD."code", 'basic_policy', OLD."basic_policy", 'policy_ref', OLD."policy_ref", 'name_ja', OLD."name_ja", 'name_en', OLD."name_en", 'unit', OLD."unit", 'kind', OLD."kind", 'rule', OLD."rule", 'rule_param', OLD."rule_param", 'baseline', OLD."baseline", 'baseline_as_of', OLD."baseline_as_of", 'baseline_label', OLD."baseline_label", 'target', OLD."target", 'target_by', OLD."target_by", 'target_label', OLD."target_label", 'sort_order', OLD."sort_order", 'notes', OLD."notes"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_kpi_measurement_insert AFTER INSERT ON "kpi_measurement"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('kpi_measurement', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'kpi_id', NEW."kpi_id", 'measured_on', NEW."measured_on", 'value', NEW."value", 'note', NEW."note", 'entered_by', NEW."entered_by"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_kpi_measurement_update AFTER UPDATE ON "kpi_measurement"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('kpi_measurement', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'kpi_id', OLD."kpi_id", 'measured_on', OLD."measured_on", 'value', OLD."value", 'note', OLD."note", 'entered_by', OLD."entered_by"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'kpi_id', NEW."kpi_id", 'measured_on', NEW."measured_on", 'value', NEW."value", 'note', NEW."note", 'entered_by', NEW."entered_by"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_kpi_measurement_delete AFTER DELETE ON "kpi_measurement"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('kpi_measurement', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'kpi_id', OLD."kpi_id", 'measured_on', OLD."measured_on", 'value', OLD."value", 'note', OLD."note", 'entered_by', OLD."entered_by"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_meeting_insert AFTER INSERT ON "meeting"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'held_on', NEW."held_on", 'title', NEW."title", 'summary', NEW."summary", 'next_action', NEW."next_action", 'follow_up_on', NEW."follow_up_on", 'follow_up_done_on', NEW."follow_up_done_on"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_meeting_update AFTER UPDATE ON "meeting"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'held_on', OLD."held_on", 'title', OLD."title", 'summary', OLD."summary", 'next_action', OLD."next_action", 'follow_up_on', OLD."follow_up_on", 'follow_up_done_on', OLD."follow_up_done_on"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'held_on', NEW."held_on", 'title', NEW."title", 'summary', NEW."summary", 'next_action', NEW."next_action", 'follow_up_on', NEW."follow_up_on", 'follow_up_done_on', NEW."follow_up_done_on"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_meeting_delete AFTER DELETE ON "meeting"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'held_on', OLD."held_on", 'title', OLD."title", 'summary', OLD."summary", 'next_action', OLD."next_action", 'follow_up_on', OLD."follow_up_on", 'follow_up_done_on', OLD."follow_up_done_on"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_meeting_contact_insert AFTER INSERT ON "meeting_contact"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_contact', NEW."meeting_id", 'insert', NULL, json_object('meeting_id', NEW."meeting_id", 'contact_id', NEW."contact_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_meeting_contact_update AFTER UPDATE ON "meeting_contact"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_contact', NEW."meeting_id", 'update', json_object('meeting_id', OLD."meeting_id", 'contact_id', OLD."contact_id"), json_object('meeting_id', NEW."meeting_id", 'contact_id', NEW."contact_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_meeting_contact_delete AFTER DELETE ON "meeting_contact"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_contact', OLD."meeting_id", 'delete', json_object('meeting_id', OLD."meeting_id", 'contact_id', OLD."contact_id"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_meeting_organization_insert AFTER INSERT ON "meeting_organization"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_organization', NEW."meeting_id", 'insert', NULL, json_object('meeting_id', NEW."meeting_id", 'organization_id', NEW."organization_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_meeting_organization_update AFTER UPDATE ON "meeting_organization"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_organization', NEW."meeting_id", 'update', json_object('meeting_id', OLD."meeting_id", 'organization_id', OLD."organization_id"), json_object('meeting_id', NEW."meeting_id", 'organization_id', NEW."organization_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_meeting_organization_delete AFTER DELETE ON "meeting_organization"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_organization', OLD."meeting_id", 'delete', json_object('meeting_id', OLD."meeting_id", 'organization_id', OLD."organization_id"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_meeting_staff_insert AFTER INSERT ON "meeting_staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_staff', NEW."meeting_id", 'insert', NULL, json_object('meeting_id', NEW."meeting_id", 'staff_id', NEW."staff_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_meeting_staff_update AFTER UPDATE ON "meeting_staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_staff', NEW."meeting_id", 'update', json_object('meeting_id', OLD."meeting_id", 'staff_id', OLD."staff_id"), json_object('meeting_id', NEW."meeting_id", 'staff_id', NEW."staff_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_meeting_staff_delete AFTER DELETE ON "meeting_staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('meeting_staff', OLD."meeting_id", 'delete', json_object('meeting_id', OLD."meeting_id", 'staff_id', OLD."staff_id"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_organization_insert AFTER INSERT ON "organization"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('organization', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'name', NEW."name", 'normalized_name', NEW."normalized_name", 'kana', NEW."kana", 'kana_sort_key', NEW."kana_sort_key", 'kind', NEW."kind", 'corporate_number', NEW."corporate_number", 'address', NEW."address", 'website', NEW."website", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_organization_update AFTER UPDATE ON "organization"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('organization', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'name', OLD."name", 'normalized_name', OLD."normalized_name", 'kana', OLD."kana", 'kana_sort_key', OLD."kana_sort_key", 'kind', OLD."kind", 'corporate_number', OLD."corporate_number", 'address', OLD."address", 'website', OLD."website", 'notes', OLD."notes"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'name', NEW."name", 'normalized_name', NEW."normalized_name", 'kana', NEW."kana", 'kana_sort_key', NEW."kana_sort_key", 'kind', NEW."kind", 'corporate_number', NEW."corporate_number", 'address', NEW."address", 'website', NEW."website", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_organization_delete AFTER DELETE ON "organization"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('organization', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'name', OLD."name", 'normalized_name', OLD."normalized_name", 'kana', OLD."kana", 'kana_sort_key', OLD."kana_sort_key", 'kind', OLD."kind", 'corporate_number', OLD."corporate_number", 'address', OLD."address", 'website', OLD."website", 'notes', OLD."notes"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_outreach_event_insert AFTER INSERT ON "outreach_event"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('outreach_event', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'held_on', NEW."held_on", 'kind', NEW."kind", 'title', NEW."title", 'venue', NEW."venue", 'municipality', NEW."municipality", 'attendees', NEW."attendees", 'audience', NEW."audience", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_outreach_event_update AFTER UPDATE ON "outreach_event"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('outreach_event', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'held_on', OLD."held_on", 'kind', OLD."kind", 'title', OLD."title", 'venue', OLD."venue", 'municipality', OLD."municipality", 'attendees', OLD."attendees", 'audience', OLD."audience", 'notes', OLD."notes"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'held_on', NEW."held_on", 'kind', NEW."kind", 'title', NEW."title", 'venue', NEW."venue", 'municipality', NEW."municipality", 'attendees', NEW."attendees", 'audience', NEW."audience", 'notes', NEW."notes"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_outreach_event_delete AFTER DELETE ON "outreach_event"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('outreach_event', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'held_on', OLD."held_on", 'kind', OLD."kind", 'title', OLD."title", 'venue', OLD."venue", 'municipality', OLD."municipality", 'attendees', OLD."attendees", 'audience', OLD."audience", 'notes', OLD."notes"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_outreach_event_staff_insert AFTER INSERT ON "outreach_event_staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('outreach_event_staff', NEW."outreach_event_id", 'insert', NULL, json_object('outreach_event_id', NEW."outreach_event_id", 'staff_id', NEW."staff_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_outreach_event_staff_update AFTER UPDATE ON "outreach_event_staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('outreach_event_staff', NEW."outreach_event_id", 'update', json_object('outreach_event_id', OLD."outreach_event_id", 'staff_id', OLD."staff_id"), json_object('outreach_event_id', NEW."outreach_event_id", 'staff_id', NEW."staff_id"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_outreach_event_staff_delete AFTER DELETE ON "outreach_event_staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('outreach_event_staff', OLD."outreach_event_id", 'delete', json_object('outreach_event_id', OLD."outreach_event_id", 'staff_id', OLD."staff_id"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_staff_insert AFTER INSERT ON "staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('staff', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'name', NEW."name", 'kana', NEW."kana", 'section', NEW."section", 'active', NEW."active"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_staff_update AFTER UPDATE ON "staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('staff', NEW."id", 'update', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'name', OLD."name", 'kana', OLD."kana", 'section', OLD."section", 'active', OLD."active"), json_object('id', NEW."id", 'created_at', NEW."created_at", 'created_by', NEW."created_by", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by", 'archived_at', NEW."archived_at", 'archived_by', NEW."archived_by", 'name', NEW."name", 'kana', NEW."kana", 'section', NEW."section", 'active', NEW."active"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_staff_delete AFTER DELETE ON "staff"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('staff', OLD."id", 'delete', json_object('id', OLD."id", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by", 'archived_at', OLD."archived_at", 'archived_by', OLD."archived_by", 'name', OLD."name", 'kana', OLD."kana", 'section', OLD."section", 'active', OLD."active"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
  OLD.chain_hash IS NULL AND NEW.chain_hash IS NOT NULL AND length(NEW.chain_hash) = 64
  AND NEW.id IS OLD.id AND NEW.table_name IS OLD.table_name AND NEW.row_id IS OLD.row_id AND NEW.action IS OLD.action AND NEW.old_values IS OLD.old_values AND NEW.new_values IS OLD.new_values AND NEW.changed_at IS OLD.changed_at AND NEW.changed_by IS OLD.changed_by
  AND NOT EXISTS (SELECT 1 FROM audit_log p WHERE p.chain_hash IS NULL AND p.id < OLD.id)
)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: a row can only be sealed, once, in order');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted');
END;
CREATE TRIGGER audit_log_unsealed_insert BEFORE INSERT ON audit_log
WHEN NEW.chain_hash IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'audit_log rows are recorded unsealed and sealed by the program');
END;
CREATE INDEX ix_organization_merge_kept_id ON organization_merge (kept_id);
CREATE INDEX ix_organization_merge_merged_id ON organization_merge (merged_id);
CREATE TRIGGER audit_organization_merge_insert AFTER INSERT ON "organization_merge"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('organization_merge', NEW."id", 'insert', NULL, json_object('id', NEW."id", 'kept_id', NEW."kept_id", 'merged_id', NEW."merged_id", 'merged_at', NEW."merged_at", 'merged_by', NEW."merged_by", 'moved_json', NEW."moved_json", 'undone_at', NEW."undone_at", 'undone_by', NEW."undone_by"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_organization_merge_update AFTER UPDATE ON "organization_merge"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('organization_merge', NEW."id", 'update', json_object('id', OLD."id", 'kept_id', OLD."kept_id", 'merged_id', OLD."merged_id", 'merged_at', OLD."merged_at", 'merged_by', OLD."merged_by", 'moved_json', OLD."moved_json", 'undone_at', OLD."undone_at", 'undone_by', OLD."undone_by"), json_object('id', NEW."id", 'kept_id', NEW."kept_id", 'merged_id', NEW."merged_id", 'merged_at', NEW."merged_at", 'merged_by', NEW."merged_by", 'moved_json', NEW."moved_json", 'undone_at', NEW."undone_at", 'undone_by', NEW."undone_by"), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
CREATE TRIGGER audit_organization_merge_delete AFTER DELETE ON "organization_merge"
BEGIN
  INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at, changed_by)
  VALUES ('organization_merge', OLD."id", 'delete', json_object('id', OLD."id", 'kept_id', OLD."kept_id", 'merged_id', OLD."merged_id", 'merged_at', OLD."merged_at", 'merged_by', OLD."merged_by", 'moved_json', OLD."moved_json", 'undone_at', OLD."undone_at", 'undone_by', OLD."undone_by"), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce((SELECT actor FROM audit_actor WHERE id = 1), 'sql'));
END;
COMMIT;
