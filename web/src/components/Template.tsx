// The template as the recipient saw it: sanitised with DOMPurify and, for HTML, drawn in a sandboxed frame so its
// styles cannot leak; a phone-shaped frame for WhatsApp and SMS, a letter for mail, a mail client for email.
import DOMPurify from 'dompurify';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel, Template } from '../types';

/** Sanitised HTML of a template, safe to show; text templates are escaped by React instead. */
export function sanitizeTemplate(html: string): string {
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['form', 'input', 'button'] });
}

export function TemplatePreview({ template, channel }: { template: Template; channel: Channel }) {
  const { t } = useTranslation();
  const clean = useMemo(() => (template.format === 'html' ? sanitizeTemplate(template.content ?? '') : null), [template]);
  const body =
    clean !== null ? (
      <iframe
        className="template-frame"
        title={t('campaign.templatePreview', { name: template.name })}
        sandbox=""
        srcDoc={`<!doctype html><meta charset="utf-8"><base target="_blank"><style>body{font:14px/1.45 system-ui,sans-serif;margin:12px;color:#1d2025}img{max-width:100%;height:auto}</style>${clean}`}
      />
    ) : (
      <div className="template-text">{template.content}</div>
    );
  const shape = channel === 'whatsapp' || channel === 'sms' ? 'phone' : channel === 'mail' ? 'letter' : 'email';
  return (
    <figure className={`template template-${shape} template-${channel}`} data-testid="template">
      {shape === 'phone' ? (
        <div className="phone">
          <div className="phone-notch" aria-hidden="true" />
          <div className="bubble">{body}</div>
        </div>
      ) : (
        <div className={shape === 'letter' ? 'letter' : 'email-frame'}>{body}</div>
      )}
      <figcaption className="muted small">
        {template.name} · {t('campaign.version', { version: template.version })} · {template.language}
      </figcaption>
    </figure>
  );
}
