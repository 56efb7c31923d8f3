// Renders a component as the dashboard would: i18n in the chosen language and a formatter for a EUR account in
// Paris. For component tests only.
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { I18nextProvider } from 'react-i18next';
import { createFormatter } from './format';
import { FormatProvider } from './hooks';
import { initI18n, type Lang } from './i18n';

export function renderIn(lang: Lang, ui: ReactElement) {
  const i18n = initI18n(lang); // in `lang`, whether this is the first render or not
  const f = createFormatter({ locale: lang === 'fr' ? 'fr-FR' : 'en-US', currency: 'EUR', timeZone: 'Europe/Paris' });
  return render(
    <I18nextProvider i18n={i18n}>
      <FormatProvider value={f}>{ui}</FormatProvider>
    </I18nextProvider>,
  );
}
