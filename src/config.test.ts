// Configuration: the scheduled-backup and scheduled-report settings, their defaults, and a clear refusal of what cannot work.
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

const sqlite = { DATABASE_URL: 'file:/srv/mesure/mesure.db' };

describe('config: scheduled backups', () => {
  it('are off without MESURE_BACKUP_DIR, and default to every 24 h keeping 7 with it', () => {
    expect(loadConfig(sqlite, '/srv').backup).toBeNull();
    // 24 h = 86,400,000 ms; a relative directory is taken from the working directory.
    expect(loadConfig({ ...sqlite, MESURE_BACKUP_DIR: 'backups' }, '/srv').backup).toEqual({ dir: '/srv/backups', intervalMs: 86_400_000, keep: 7 });
    // 0.5 h = 1,800,000 ms.
    expect(loadConfig({ ...sqlite, MESURE_BACKUP_DIR: '/b', MESURE_BACKUP_INTERVAL_H: '0.5', MESURE_BACKUP_KEEP: '3' }, '/srv').backup)
      .toEqual({ dir: '/b', intervalMs: 1_800_000, keep: 3 });
  });

  it('refuse settings that cannot work, saying what to change', () => {
    expect(() => loadConfig({ ...sqlite, MESURE_BACKUP_KEEP: '3' })).toThrow(/MESURE_BACKUP_KEEP is set but MESURE_BACKUP_DIR is not/);
    expect(() => loadConfig({ ...sqlite, MESURE_BACKUP_INTERVAL_H: '6' })).toThrow(/MESURE_BACKUP_INTERVAL_H is set but MESURE_BACKUP_DIR is not/);
    expect(() => loadConfig({ ...sqlite, MESURE_BACKUP_DIR: '/b', MESURE_BACKUP_KEEP: '0' })).toThrow(/MESURE_BACKUP_KEEP must be a whole number .* at least 1, got "0"/);
    expect(() => loadConfig({ ...sqlite, MESURE_BACKUP_DIR: '/b', MESURE_BACKUP_KEEP: '2.5' })).toThrow(/MESURE_BACKUP_KEEP/);
    expect(() => loadConfig({ ...sqlite, MESURE_BACKUP_DIR: '/b', MESURE_BACKUP_INTERVAL_H: '-1' })).toThrow(/MESURE_BACKUP_INTERVAL_H must be a positive number/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@h/db', MESURE_BACKUP_DIR: '/b' })).toThrow(/on PostgreSQL use pg_dump/);
  });
});

describe('config: scheduled reports', () => {
  it('are unsent without MESURE_SMTP_URL, with a sender from the public address and a 5-minute tick', () => {
    // 300 s = 300,000 ms.
    expect(loadConfig(sqlite).reports).toEqual({ smtpUrl: undefined, from: 'Mesure <reports@localhost>', intervalMs: 300_000 });
    expect(loadConfig({ ...sqlite, MESURE_PUBLIC_URL: 'https://stats.shop.example', MESURE_SMTP_URL: 'smtps://u:p%40ss@mail.example:465' }).reports)
      .toEqual({ smtpUrl: 'smtps://u:p%40ss@mail.example:465', from: 'Mesure <reports@stats.shop.example>', intervalMs: 300_000 });
    expect(loadConfig({ ...sqlite, MESURE_SMTP_URL: 'smtp://mail.example', MESURE_SMTP_FROM: 'Shop <stats@shop.example>', MESURE_REPORTS_INTERVAL_S: '60' }).reports)
      .toEqual({ smtpUrl: 'smtp://mail.example', from: 'Shop <stats@shop.example>', intervalMs: 60_000 });
  });

  it('refuse an SMTP address that is not one, saying how to write it', () => {
    for (const url of ['mail.example:587', 'https://mail.example', 'smtp://']) {
      expect(() => loadConfig({ ...sqlite, MESURE_SMTP_URL: url }), url).toThrow(/MESURE_SMTP_URL must be smtp:\/\/\[user:password@\]host/);
    }
    expect(() => loadConfig({ ...sqlite, MESURE_REPORTS_INTERVAL_S: '0' })).toThrow(/MESURE_REPORTS_INTERVAL_S must be a positive number/);
  });
});
