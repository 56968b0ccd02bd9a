import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { AppLayout } from './components/AppLayout';
import { RequireAuth } from './components/RequireAuth';
import { ChatPage } from './pages/ChatPage';
import { CredentialsPage } from './pages/CredentialsPage';
import { DocumentsPage } from './pages/DocumentsPage';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <Routes>
        <Route element={<AppLayout />}>
          <Route path="/login" element={<CredentialsPage mode="login" />} />
          <Route path="/register" element={<CredentialsPage mode="register" />} />
          <Route element={<RequireAuth />}>
            <Route path="/app" element={<DocumentsPage />} />
            <Route path="/chat/:id" element={<ChatPage />} />
          </Route>
          <Route path="*" element={<Navigate to="/app" replace />} />
        </Route>
      </Routes>
    </BrowserRouter>
  </StrictMode>,
);
